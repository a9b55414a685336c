// Promises parked under a key until someone settles that key. A waiter's
// abort signal removes it at once, so an abandoned wait holds nothing.

import { execute } from 'abort-controller-x';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class KeyedWaiters<K, T> {
  readonly #byKey = new Map<K, Set<Waiter<T>>>();
  #size = 0;

  /** Waiters currently parked, over all keys. */
  get size(): number {
    return this.#size;
  }

  keys(): IterableIterator<K> {
    return this.#byKey.keys();
  }

  wait(key: K, signal: AbortSignal): Promise<T> {
    return execute<T>(signal, (resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject };
      let set = this.#byKey.get(key);
      if (!set) this.#byKey.set(key, (set = new Set()));
      set.add(waiter);
      this.#size++;
      return () => this.#remove(key, waiter);
    });
  }

  resolve(key: K, value: T): void {
    const set = this.#byKey.get(key);
    if (!set) return;
    this.#byKey.delete(key);
    this.#size -= set.size;
    for (const waiter of set) waiter.resolve(value);
  }

  rejectAll(error: unknown): void {
    const sets = [...this.#byKey.values()];
    this.#byKey.clear();
    this.#size = 0;
    for (const set of sets) for (const waiter of set) waiter.reject(error);
  }

  #remove(key: K, waiter: Waiter<T>): void {
    const set = this.#byKey.get(key);
    if (!set?.delete(waiter)) return;
    this.#size--;
    if (set.size === 0) this.#byKey.delete(key);
  }
}
