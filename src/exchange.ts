// A fan-out of values to subscribers, after containerd's event exchange: the
// publisher never waits, each subscriber has its own bounded queue, and a
// subscriber that overflows is ended alone with SubscriberOverflowError.

import { AbortError, throwIfAborted } from 'abort-controller-x';
import { SubscriberOverflowError } from './errors.js';

interface Subscriber<T> {
  queue: T[];
  failure?: Error;
  wake?: () => void;
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
        sub.wake?.();
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
    const sub: Subscriber<T> = { queue: [] };
    this.#subscribers.add(sub);
    const onAbort = () => this.#end(sub, new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      this.#subscribers.delete(sub);
    };
    const next = async (): Promise<IteratorResult<T>> => {
      while (sub.queue.length === 0 && sub.failure === undefined) {
        await new Promise<void>((resolve) => (sub.wake = resolve));
        sub.wake = undefined;
      }
      if (sub.queue.length > 0) return { value: sub.queue.shift()!, done: false };
      cleanup();
      throw sub.failure;
    };
    const iterator: AsyncIterableIterator<T> = {
      next,
      return: async () => {
        cleanup();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #end(sub: Subscriber<T>, error: Error): void {
    if (sub.failure !== undefined) return;
    sub.failure = error;
    sub.queue.length = 0;
    this.#subscribers.delete(sub);
    sub.wake?.();
  }
}
