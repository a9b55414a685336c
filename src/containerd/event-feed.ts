// Reads a server stream eagerly into a queue, so that the stream keeps being
// drained while its consumer is busy elsewhere (listing, fetching records),
// and the consumer can wait for the next item with a signal of its own.

import { execute } from 'abort-controller-x';

export class EventStreamEndedError extends Error {
  constructor() {
    super('the event stream ended');
    this.name = 'EventStreamEndedError';
  }
}

export class EventFeed<T> {
  readonly #items: T[] = [];
  #failure: unknown;
  #failed = false;
  #wake: (() => void) | undefined;

  constructor(source: AsyncIterable<T>) {
    void this.#read(source);
  }

  /** The next item; rejects once the stream has failed or ended and every item was taken. */
  next(signal: AbortSignal): Promise<T> {
    return execute<T>(signal, (resolve, reject) => {
      const attempt = () => {
        if (this.#items.length > 0) resolve(this.#items.shift()!);
        else if (this.#failed) reject(this.#failure);
        else this.#wake = attempt;
      };
      attempt();
      return () => {
        this.#wake = undefined;
      };
    });
  }

  async #read(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const item of source) {
        this.#items.push(item);
        this.#notify();
      }
      this.#failure = new EventStreamEndedError();
    } catch (error) {
      this.#failure = error;
    }
    this.#failed = true;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
