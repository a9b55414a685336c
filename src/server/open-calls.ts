// Counts the calls in progress, so that the daemon's stop can tell open calls
// (worth waiting for) from connections with nothing on them (not worth it).

export class OpenCalls {
  #count = 0;
  #waiters: Array<() => void> = [];

  get count(): number {
    return this.#count;
  }

  enter(): void {
    this.#count++;
  }

  leave(): void {
    if (--this.#count === 0) for (const resolve of this.#waiters.splice(0)) resolve();
  }

  /** Resolves once no call is open (at once if none is). */
  ended(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
