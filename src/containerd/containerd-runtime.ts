// The Runtime backed by containerd: answers come from the workspace index
// that the event pump keeps in step with containerd, except ContainerExists,
// which asks containerd itself. While the index is not in sync (containerd
// away, or the first listing not done yet) containerd-backed answers are
// RuntimeUnavailableError; waits stay pending through an outage.

import { AbortError, throwIfAborted } from 'abort-controller-x';
import type { Logger } from 'pino';
import { ContainerNotFoundError, NoUpperdirError, RuntimeUnavailableError } from '../errors.js';
import { Exchange } from '../exchange.js';
import type { ContainerId, Readiness, RootfsOptions, Runtime, RuntimeErrorEvent, RuntimeErrorKind, RuntimeStats, RuntimeStatsSource } from '../runtime.js';
import { cgroupPath } from './cgroup-path.js';
import { describeError, isConnectionLost, isNotFound } from './containerd-client.js';
import { EventPump, type Backoff } from './event-pump.js';
import { PathMapper, type PathMapping } from './path-mapper.js';
import { upperdirOf } from './upperdir.js';
import { WorkspaceIndex, type WorkspaceContainer } from './workspace-index.js';

export interface ContainerdRuntimeOptions {
  /** containerd's socket path. */
  address: string;
  namespace: string;
  pathMappings: PathMapping[];
  /** Sandbox labels holding the workspace instance id, tried in order. */
  instanceLabels: string[];
  /** io.kubernetes.container.name of the workspace container. */
  workspaceContainer: string;
  logger: Logger;
  /** Reconnect backoff; the default suits a node daemon. */
  backoff?: Backoff;
}

export class ContainerdRuntime implements Runtime, Readiness, RuntimeStatsSource {
  readonly #log: Logger;
  readonly #index: WorkspaceIndex;
  readonly #pump: EventPump;
  readonly #mapper: PathMapper;
  readonly #errors = new Exchange<RuntimeErrorEvent>();
  readonly #readyListeners = new Set<(ready: boolean) => void>();
  #closed = false;

  constructor(options: ContainerdRuntimeOptions) {
    this.#log = options.logger;
    this.#mapper = new PathMapper(options.pathMappings);
    this.#index = new WorkspaceIndex(this.#log);
    this.#pump = new EventPump({
      address: options.address,
      namespace: options.namespace,
      selector: { instanceLabels: [...options.instanceLabels], workspaceContainer: options.workspaceContainer },
      index: this.#index,
      mapper: this.#mapper,
      logger: this.#log,
      report: (kind, message) => this.#report(kind, message),
      onReadyChange: (ready) => {
        this.#log.info({ ready }, ready ? 'containerd backend ready' : 'containerd backend not ready');
        for (const listener of [...this.#readyListeners]) listener(ready);
      },
      backoff: options.backoff,
    });
  }

  /** Connected to containerd with the index in sync. */
  get ready(): boolean {
    return this.#pump.ready;
  }

  /** Calls `listener` on every change of `ready`; returns an unsubscriber. */
  onReadyChange(listener: (ready: boolean) => void): () => void {
    this.#readyListeners.add(listener);
    return () => this.#readyListeners.delete(listener);
  }

  stats(): RuntimeStats {
    const pump = this.#pump.stats();
    return {
      workspacesTracked: this.#index.size,
      pendingWaits: this.#index.pendingWaits,
      errorsSubscribers: this.#errors.subscriberCount,
      connected: pump.connected,
      eventsHandled: pump.eventsHandled,
      resyncs: pump.resyncs,
      reconnects: pump.reconnects,
    };
  }

  /** Connects in the background and keeps reconnecting; never throws for containerd being down. */
  start(): void {
    if (this.#closed) throw new Error('ContainerdRuntime is closed');
    this.#pump.start();
  }

  /** Stops following containerd, ends pending waits (AbortError) and Errors subscribers (UNAVAILABLE). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pump.close();
    this.#index.rejectWaits(new AbortError());
    this.#errors.closeAll(new RuntimeUnavailableError('wsruntime is shutting down'));
    this.#readyListeners.clear();
  }

  async waitForContainer(workspaceInstanceId: string, signal: AbortSignal): Promise<ContainerId> {
    this.#throwIfClosed(signal);
    return this.#index.waitForContainer(workspaceInstanceId, signal);
  }

  async waitForContainerStop(workspaceInstanceId: string, signal: AbortSignal): Promise<void> {
    this.#throwIfClosed(signal);
    return this.#index.waitForContainerStop(workspaceInstanceId, signal);
  }

  async containerExists(id: ContainerId, signal: AbortSignal): Promise<boolean> {
    throwIfAborted(signal);
    const client = this.#pump.client;
    if (!client) throw this.#unavailable();
    try {
      await client.containers.get({ id }, { signal });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      if (signal.aborted) throw error;
      const message = `cannot ask containerd about container ${id}: ${describeError(error)}`;
      // A lost connection fails the pump's event stream on the same channel,
      // which reports it once; reporting it per call too would flood Errors.
      if (!isConnectionLost(error)) this.#report('connection', message);
      throw new RuntimeUnavailableError(message, { cause: error });
    }
  }

  async containerUpperdir(id: ContainerId, signal: AbortSignal): Promise<string> {
    const container = this.#lookup(id, signal);
    if (!container.mounts) throw new ContainerNotFoundError({ containerId: id });
    const upperdir = upperdirOf(container.mounts);
    if (upperdir === undefined) throw new NoUpperdirError(id);
    return this.#mapper.toCaller(id, upperdir);
  }

  async containerRootfs(id: ContainerId, options: RootfsOptions, signal: AbortSignal): Promise<string> {
    const rootfs = this.#lookup(id, signal).task?.rootfs;
    if (rootfs === undefined) throw new ContainerNotFoundError({ containerId: id });
    return options.unmapped ? rootfs : this.#mapper.toCaller(id, rootfs);
  }

  async containerCGroupPath(id: ContainerId, signal: AbortSignal): Promise<string> {
    return cgroupPath(id, this.#lookup(id, signal).record.cgroupsPath);
  }

  async containerPID(id: ContainerId, signal: AbortSignal): Promise<number> {
    const task = this.#lookup(id, signal).task;
    if (!task) throw new ContainerNotFoundError({ containerId: id });
    return task.pid;
  }

  errors(signal: AbortSignal): AsyncIterable<RuntimeErrorEvent> {
    if (this.#closed) throw new RuntimeUnavailableError('wsruntime is shutting down');
    return this.#errors.subscribe(signal);
  }

  /** The workspace container with this id, from an index in sync with containerd. */
  #lookup(id: ContainerId, signal: AbortSignal): WorkspaceContainer {
    throwIfAborted(signal);
    if (!this.#pump.ready) throw this.#unavailable();
    const container = this.#index.byContainerId(id);
    if (!container) throw new ContainerNotFoundError({ containerId: id });
    return container;
  }

  #throwIfClosed(signal: AbortSignal): void {
    throwIfAborted(signal);
    if (this.#closed) throw new AbortError();
  }

  #unavailable(): RuntimeUnavailableError {
    return new RuntimeUnavailableError(this.#closed ? 'wsruntime is shutting down' : 'containerd is not connected (or the index is being rebuilt); retry');
  }

  #report(kind: RuntimeErrorKind, message: string): void {
    this.#errors.publish({ time: new Date(), kind, message });
  }
}
