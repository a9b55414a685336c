// One call's signal out of several: the caller's and the SDK client's close,
// or a server call's and the daemon's stop. Linked by hand rather than with
// AbortSignal.any so that nothing stays registered on the long-lived signal
// once the call is over.

export interface LinkedSignal {
  signal: AbortSignal;
  /** Detaches from the source signals; call it when the call is over. */
  release(): void;
}

export function linkSignals(...sources: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController();
  const present = sources.filter((s): s is AbortSignal => s !== undefined);
  const abort = () => controller.abort();
  for (const source of present) {
    if (source.aborted) {
      abort();
      break;
    }
    source.addEventListener('abort', abort);
  }
  return {
    signal: controller.signal,
    release: () => {
      for (const source of present) source.removeEventListener('abort', abort);
    },
  };
}
