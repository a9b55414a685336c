// A fan-out of values to subscribers, after containerd's event exchange: the
// publisher never waits, each subscriber has its own bounded queue, and a
// subscriber that overflows is ended alone with SubscriberOverflowError.

import { AbortError, throwIfAborted } from 'abort-controller-x';
import { SubscriberOverflowError } from './errors.js';

interface Subscriber<T> {
  queue: T[];
  /** Set once the subscription has ended: an error to throw, or null for a plain end. */
  end?: Error | null;
  /** Every next() waiting for a value or the end (a caller need not wait for one next() before the next). */
  waiters: Array<() => void>;
  detach: () => void;
}

export class Exchange<T> {
  readonly #subscribers = new Set<Subscriber<T>>();

  constructor(readonly capacity = 256) {}

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  publish(value: T): void {
    for (const sub of this.#subscribers) {
      if (sub.queue.length >= this.capacity) {
        this.#end(sub, new SubscriberOverflowError(this.capacity));
      } else {
        sub.queue.push(value);
        wake(sub);
      }
    }
  }

  /** Ends every subscription with the given error (e.g. on shutdown). */
  closeAll(error: Error): void {
    for (const sub of this.#subscribers) this.#end(sub, error);
  }

  /**
   * Subscribes from this moment on. The subscription exists as soon as this
   * is called (not on first iteration), so nothing published after it is lost.
   */
  subscribe(signal: AbortSignal): AsyncIterableIterator<T> {
    throwIfAborted(signal);
    const onAbort = () => this.#end(sub, new AbortError());
    const sub: Subscriber<T> = { queue: [], waiters: [], detach: () => signal.removeEventListener('abort', onAbort) };
    this.#subscribers.add(sub);
    signal.addEventListener('abort', onAbort, { once: true });

    const iterator: AsyncIterableIterator<T> = {
      next: async () => {
        while (sub.queue.length === 0 && sub.end === undefined) {
          await new Promise<void>((resolve) => sub.waiters.push(resolve));
        }
        if (sub.queue.length > 0) return { value: sub.queue.shift()!, done: false };
        if (sub.end) {
          // Thrown once; afterwards the iterator is simply done.
          const error = sub.end;
          sub.end = null;
          throw error;
        }
        return { value: undefined, done: true };
      },
      return: async () => {
        this.#end(sub, null);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #end(sub: Subscriber<T>, end: Error | null): void {
    if (sub.end !== undefined) return;
    sub.end = end;
    sub.queue.length = 0;
    this.#subscribers.delete(sub);
    sub.detach();
    wake(sub);
  }
}

/** Wakes every waiting next(), in the order they were called; each looks again. */
function wake(sub: Subscriber<unknown>): void {
  for (const resolve of sub.waiters.splice(0)) resolve();
}
