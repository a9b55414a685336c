// The SDK's shape of one ErrorsResponse: plain values, no generated enum.

import { ErrorKind, type ErrorsResponse } from '../../gen/wsruntime/v1/runtime.js';
import type { RuntimeErrorKind } from '../runtime.js';

/** One error the daemon met while talking to the container runtime. */
export interface RuntimeErrorEvent {
  /** When the daemon met it. */
  time: Date;
  /** `'unknown'` when a newer daemon sends a kind this SDK does not know. */
  kind: RuntimeErrorKind | 'unknown';
  message: string;
}

const kinds = new Map<ErrorKind, RuntimeErrorKind>([
  [ErrorKind.ERROR_KIND_CONNECTION, 'connection'],
  [ErrorKind.ERROR_KIND_EVENT_STREAM, 'event-stream'],
  [ErrorKind.ERROR_KIND_SYNC, 'sync'],
  [ErrorKind.ERROR_KIND_DECODE, 'decode'],
]);

export function toRuntimeErrorEvent(response: ErrorsResponse): RuntimeErrorEvent {
  return {
    // The daemon always stamps errors; a missing stamp means "just now".
    time: response.time ?? new Date(),
    kind: kinds.get(response.kind) ?? 'unknown',
    message: response.message,
  };
}
