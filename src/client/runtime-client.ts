// The SDK's client: one method per seed method, plain types in and out. gRPC
// concerns live in the middleware chain, innermost first:
//   error details (ClientError → RichClientError with google.rpc.Status details)
//   retry         (re-issue on UNAVAILABLE with jittered exponential backoff)
//   deadline      (one deadline across all attempts, so it bounds the retries)
//   typed errors  (RichClientError → ContainerNotFoundError, …)

import { setMaxListeners } from 'node:events';
import { ClientError, createClientFactory, Status, type Channel, type Client } from 'nice-grpc';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import { retryMiddleware, type RetryOptions } from 'nice-grpc-client-middleware-retry';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import { fromClientError } from '../error-table.js';
import { RuntimeUnavailableError } from '../errors.js';
import type { ContainerId } from '../runtime.js';
import { linkSignals } from '../link-signals.js';
import { openChannel } from './open-channel.js';
import { normalizeDeadline, type RuntimeCallOptions } from './runtime-call-options.js';
import { compileRuntimeClientOptions, type CompiledRuntimeClientOptions, type RuntimeClientOptions } from './runtime-client-options.js';
import { toRuntimeErrorEvent, type RuntimeErrorEvent } from './runtime-error-event.js';
import { typedErrorsMiddleware } from './typed-errors-middleware.js';

export interface RootfsCallOptions extends RuntimeCallOptions {
  /** Return the path in the node's root mount namespace instead of the one translated for the caller. */
  unmapped?: boolean;
}

/**
 * A connection to `wsruntimed`. Calls reject with the typed errors of
 * `wsruntime/client` (ContainerNotFoundError, NoUpperdirError, …), with an
 * AbortError when their signal aborts, and with a ClientError of code
 * DEADLINE_EXCEEDED when their deadline passes (see isDeadlineExceeded).
 */
export interface RuntimeClient {
  /** The gRPC address this client talks to, e.g. `unix:///run/wsruntime/wsruntime.sock`. */
  readonly address: string;

  /**
   * Waits until the workspace container of the instance exists and its task
   * has been created, and returns its id (at once if that is already so).
   * Rides out daemon restarts: it re-issues the wait until the signal or
   * deadline says stop, so without either it can wait forever.
   */
  waitForContainer(workspaceInstanceId: string, options?: RuntimeCallOptions): Promise<ContainerId>;

  /**
   * Waits until the workspace container of the instance has been deleted (at
   * once if the instance is unknown or already gone). Rides out daemon
   * restarts like waitForContainer.
   */
  waitForContainerStop(workspaceInstanceId: string, options?: RuntimeCallOptions): Promise<void>;

  /** Whether a container with this id exists in the runtime, whatever its state. */
  containerExists(containerId: ContainerId, options?: RuntimeCallOptions): Promise<boolean>;

  /** The overlay upperdir, as a path this process can reach. NoUpperdirError if the rootfs is no overlay. */
  containerUpperdir(containerId: ContainerId, options?: RuntimeCallOptions): Promise<string>;

  /** The rootfs mount point, translated for this process unless `unmapped`. */
  containerRootfs(containerId: ContainerId, options?: RootfsCallOptions): Promise<string>;

  /** The cgroup path suffix, e.g. `/kubepods/besteffort/pod<uid>/<id>`. NoCGroupError if there is none. */
  containerCGroupPath(containerId: ContainerId, options?: RuntimeCallOptions): Promise<string>;

  /**
   * The PID of the container's init process in the node's PID namespace. A
   * `number`, not a `bigint`: Linux PIDs stay below 2^22, and a number is what
   * `process.kill`, `fs` paths under /proc and child_process arguments expect.
   */
  containerPID(containerId: ContainerId, options?: RuntimeCallOptions): Promise<number>;

  /**
   * Follows the errors the daemon meets while talking to the container
   * runtime, from the first iteration on. Ends with an AbortError when the
   * signal aborts, SubscriberOverflowError when this reader fell too far
   * behind, RuntimeUnavailableError when the daemon goes away (errors met
   * meanwhile are lost, so it does not resubscribe silently). Breaking out of
   * the loop cancels the stream.
   */
  errors(options?: RuntimeCallOptions): AsyncIterable<RuntimeErrorEvent>;

  /**
   * Cancels the calls still running (they reject with an AbortError; the
   * daemon stops their work) and closes the connection. Calls made after
   * close() reject with an Error. Idempotent.
   */
  close(): void;
}

/** Connects lazily: creating a client never fails because the daemon is down. */
export function createRuntimeClient(options: RuntimeClientOptions = {}): RuntimeClient {
  return new GrpcRuntimeClient(compileRuntimeClientOptions(options));
}

// Backoff for a node-local daemon: quick first retries, short ceilings.
// UNAVAILABLE: the daemon (or its containerd) cannot be reached. CANCELLED
// coming back as a ClientError is the daemon dropping calls as it stops: our
// own cancellations surface as AbortErrors, which are never retried.
const unaryRetry = {
  retry: true,
  retryableStatuses: [Status.UNAVAILABLE, Status.CANCELLED],
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 1_000,
  // About 1.5 s in all, then the caller hears RuntimeUnavailableError.
  retryMaxAttempts: 4,
} satisfies RetryOptions;

// A wait is only over when the signal or deadline says so (the contract: "a
// runtime outage does not end it"); a daemon restart is one more outage.
const waitRetry = { ...unaryRetry, retryMaxDelayMs: 2_000, retryMaxAttempts: Infinity } satisfies RetryOptions;

type GrpcCallOptions = RetryOptions & DeadlineOptions & { signal: AbortSignal };

class GrpcRuntimeClient implements RuntimeClient {
  readonly address: string;
  readonly #channel: Channel;
  readonly #grpc: Client<RuntimeServiceDefinition, RetryOptions & DeadlineOptions>;
  readonly #onRetry: CompiledRuntimeClientOptions['onRetry'];
  // Aborted by close(): every call's signal is linked to it.
  readonly #closing = new AbortController();

  constructor(options: CompiledRuntimeClientOptions) {
    // One listener per call in flight; an agent waiting on many workspaces
    // at once is normal use, not a leak (link-signals removes each one).
    setMaxListeners(0, this.#closing.signal);
    this.address = options.address;
    this.#onRetry = options.onRetry;
    this.#channel = openChannel(options.address);
    this.#grpc = createClientFactory()
      .use(errorDetailsClientMiddleware)
      .use(retryMiddleware)
      .use(deadlineMiddleware)
      .use(typedErrorsMiddleware)
      .create(RuntimeServiceDefinition, this.#channel);
  }

  async waitForContainer(workspaceInstanceId: string, options: RuntimeCallOptions = {}): Promise<ContainerId> {
    const response = await this.#unary(options, waitRetry, (o) => this.#grpc.waitForContainer({ workspaceInstanceId }, o));
    return response.containerId;
  }

  async waitForContainerStop(workspaceInstanceId: string, options: RuntimeCallOptions = {}): Promise<void> {
    await this.#unary(options, waitRetry, (o) => this.#grpc.waitForContainerStop({ workspaceInstanceId }, o));
  }

  async containerExists(containerId: ContainerId, options: RuntimeCallOptions = {}): Promise<boolean> {
    const response = await this.#unary(options, unaryRetry, (o) => this.#grpc.containerExists({ containerId }, o));
    return response.exists;
  }

  async containerUpperdir(containerId: ContainerId, options: RuntimeCallOptions = {}): Promise<string> {
    const response = await this.#unary(options, unaryRetry, (o) => this.#grpc.containerUpperdir({ containerId }, o));
    return response.path;
  }

  async containerRootfs(containerId: ContainerId, options: RootfsCallOptions = {}): Promise<string> {
    const request = { containerId, unmapped: options.unmapped ?? false };
    const response = await this.#unary(options, unaryRetry, (o) => this.#grpc.containerRootfs(request, o));
    return response.path;
  }

  async containerCGroupPath(containerId: ContainerId, options: RuntimeCallOptions = {}): Promise<string> {
    const response = await this.#unary(options, unaryRetry, (o) => this.#grpc.containerCGroupPath({ containerId }, o));
    return response.path;
  }

  async containerPID(containerId: ContainerId, options: RuntimeCallOptions = {}): Promise<number> {
    const response = await this.#unary(options, unaryRetry, (o) => this.#grpc.containerPID({ containerId }, o));
    return response.pid;
  }

  async *errors(options: RuntimeCallOptions = {}): AsyncGenerator<RuntimeErrorEvent, void, undefined> {
    this.#throwIfClosed();
    const link = linkSignals(options.signal, this.#closing.signal);
    try {
      // Streams are never retried by the retry middleware; see the interface doc.
      const stream = this.#grpc.errors({}, { signal: link.signal, deadline: normalizeDeadline(options.deadline) });
      for await (const response of stream) yield toRuntimeErrorEvent(response);
    } finally {
      link.release();
    }
  }

  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#channel.close();
  }

  #throwIfClosed(): void {
    if (this.#closing.signal.aborted) throw new Error(`this wsruntime client (${this.address}) is closed`);
  }

  async #unary<R>(options: RuntimeCallOptions, retry: RetryOptions, call: (options: GrpcCallOptions) => Promise<R>): Promise<R> {
    this.#throwIfClosed();
    const link = linkSignals(options.signal, this.#closing.signal);
    try {
      return await call(this.#callOptions(link.signal, options.deadline, retry));
    } finally {
      link.release();
    }
  }

  #callOptions(signal: AbortSignal, deadline: RuntimeCallOptions['deadline'], retry: RetryOptions): GrpcCallOptions {
    const onRetry = this.#onRetry;
    return {
      signal,
      deadline: normalizeDeadline(deadline),
      ...retry,
      onRetryableError: onRetry
        ? (error, attempt, delayMs) => onRetry({ method: error.path, attempt, delayMs, error: asUnavailable(error) })
        : undefined,
    };
  }
}

/** What a retry event reports: the daemon dropping a call (CANCELLED) counts as it being unavailable. */
function asUnavailable(error: ClientError): RuntimeUnavailableError {
  const typed = fromClientError(error);
  if (typed instanceof RuntimeUnavailableError) return typed;
  return new RuntimeUnavailableError(`the daemon dropped the call: ${error.details}`, { cause: error });
}
