// A controllable test double of our Runtime interface: each method answers
// from a script (a value, an error, or "wait until aborted"), every call is
// recorded with its AbortSignal, and runtime errors are published through a
// real Exchange, as the containerd backend does.

import { AbortError, forever } from 'abort-controller-x';
import { Exchange } from '../../src/exchange.js';
import type { ContainerId, RootfsOptions, Runtime, RuntimeErrorEvent } from '../../src/runtime.js';

export type RuntimeMethod =
  | 'waitForContainer'
  | 'waitForContainerStop'
  | 'containerExists'
  | 'containerUpperdir'
  | 'containerRootfs'
  | 'containerCGroupPath'
  | 'containerPID'
  | 'errors';

export interface RecordedCall {
  method: RuntimeMethod;
  /** The arguments before the signal. */
  args: unknown[];
  signal: AbortSignal;
  /** Resolves when the call's signal aborts. */
  aborted: Promise<void>;
}

type Script = (call: RecordedCall) => unknown;

export class RuntimeDouble implements Runtime {
  readonly calls: RecordedCall[] = [];
  readonly exchange: Exchange<RuntimeErrorEvent>;
  readonly #scripts = new Map<RuntimeMethod, Script>();
  readonly #taken = new Set<RecordedCall>();
  readonly #waiters: Array<{ method: RuntimeMethod; resolve: (call: RecordedCall) => void }> = [];

  constructor(options: { errorsCapacity?: number } = {}) {
    this.exchange = new Exchange(options.errorsCapacity);
  }

  /** `method` resolves with `value` (or the value `answer` computes from the call). */
  answer(method: RuntimeMethod, answer: unknown): this {
    this.#scripts.set(method, typeof answer === 'function' ? (answer as Script) : () => answer);
    return this;
  }

  /** `method` rejects with `error`. */
  fail(method: RuntimeMethod, error: unknown): this {
    this.#scripts.set(method, () => Promise.reject(error));
    return this;
  }

  /** `method` waits until its signal aborts, then rejects with an AbortError. */
  hang(method: RuntimeMethod): this {
    this.#scripts.set(method, (call) => forever(call.signal));
    return this;
  }

  /** `method` ignores its signal and never settles (a misbehaving backend). */
  hangIgnoringAbort(method: RuntimeMethod): this {
    this.#scripts.set(method, () => new Promise(() => {}));
    return this;
  }

  /** Resolves with the next call of `method` (or the earliest one already recorded and not yet taken). */
  nextCall(method: RuntimeMethod): Promise<RecordedCall> {
    const index = this.calls.findIndex((c) => c.method === method && !this.#taken.has(c));
    if (index >= 0) {
      this.#taken.add(this.calls[index]!);
      return Promise.resolve(this.calls[index]!);
    }
    return new Promise((resolve) => this.#waiters.push({ method, resolve }));
  }

  publish(event: Partial<RuntimeErrorEvent> & { message: string }): void {
    this.exchange.publish({ time: new Date(), kind: 'connection', ...event });
  }

  #call(method: RuntimeMethod, args: unknown[], signal: AbortSignal): RecordedCall {
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const call: RecordedCall = { method, args, signal, aborted };
    this.calls.push(call);
    const waiter = this.#waiters.findIndex((w) => w.method === method);
    if (waiter >= 0) {
      this.#taken.add(call);
      this.#waiters.splice(waiter, 1)[0]!.resolve(call);
    }
    return call;
  }

  async #run<T>(method: RuntimeMethod, args: unknown[], signal: AbortSignal): Promise<T> {
    const call = this.#call(method, args, signal);
    if (signal.aborted) throw new AbortError();
    const script = this.#scripts.get(method);
    if (script === undefined) throw new Error(`RuntimeDouble: no answer scripted for ${method}`);
    return (await script(call)) as T;
  }

  waitForContainer(workspaceInstanceId: string, signal: AbortSignal): Promise<ContainerId> {
    return this.#run('waitForContainer', [workspaceInstanceId], signal);
  }

  waitForContainerStop(workspaceInstanceId: string, signal: AbortSignal): Promise<void> {
    return this.#run('waitForContainerStop', [workspaceInstanceId], signal);
  }

  containerExists(id: ContainerId, signal: AbortSignal): Promise<boolean> {
    return this.#run('containerExists', [id], signal);
  }

  containerUpperdir(id: ContainerId, signal: AbortSignal): Promise<string> {
    return this.#run('containerUpperdir', [id], signal);
  }

  containerRootfs(id: ContainerId, options: RootfsOptions, signal: AbortSignal): Promise<string> {
    return this.#run('containerRootfs', [id, options], signal);
  }

  containerCGroupPath(id: ContainerId, signal: AbortSignal): Promise<string> {
    return this.#run('containerCGroupPath', [id], signal);
  }

  containerPID(id: ContainerId, signal: AbortSignal): Promise<number> {
    return this.#run('containerPID', [id], signal);
  }

  errors(signal: AbortSignal): AsyncIterable<RuntimeErrorEvent> {
    this.#call('errors', [], signal);
    return this.exchange.subscribe(signal);
  }
}
