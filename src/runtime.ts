// The Runtime interface: Gitpod's container.Runtime (see the seed contract)
// in TypeScript. Where Go takes a context, every method takes an AbortSignal,
// which implementations must honour at once (reject with an AbortError and
// release every listener, timer and promise they hold for the call).
//
// Sentinel errors are the classes in ./errors.ts: ContainerNotFoundError,
// NoUpperdirError, NoCGroupError, PathNotMappedError; an unreachable runtime
// is RuntimeUnavailableError.

/** The id of a CRI container, as containerd knows it. */
export type ContainerId = string;

export interface RootfsOptions {
  /** Return the path in the node's root mount namespace, untranslated. */
  unmapped?: boolean;
}

export type RuntimeErrorKind = 'connection' | 'event-stream' | 'sync' | 'decode';

/** One error met while talking to the container runtime (the seed's Error() channel). */
export interface RuntimeErrorEvent {
  time: Date;
  kind: RuntimeErrorKind;
  message: string;
}

export interface Runtime {
  /**
   * Waits until the workspace container of the instance exists and its task
   * has been created, and returns its id; at once if that is already so.
   */
  waitForContainer(workspaceInstanceId: string, signal: AbortSignal): Promise<ContainerId>;

  /** Waits until the workspace container is deleted; at once if unknown or gone. */
  waitForContainerStop(workspaceInstanceId: string, signal: AbortSignal): Promise<void>;

  /** Whether any container with this id exists, whatever its state. */
  containerExists(id: ContainerId, signal: AbortSignal): Promise<boolean>;

  /** The overlay upperdir, translated for the caller. */
  containerUpperdir(id: ContainerId, signal: AbortSignal): Promise<string>;

  /** The rootfs mount point, translated for the caller unless `unmapped`. */
  containerRootfs(id: ContainerId, options: RootfsOptions, signal: AbortSignal): Promise<string>;

  /** The cgroup path suffix, e.g. `/kubepods/besteffort/pod<uid>/<id>`. */
  containerCGroupPath(id: ContainerId, signal: AbortSignal): Promise<string>;

  /** The PID of the container's init process in the node's PID namespace. */
  containerPID(id: ContainerId, signal: AbortSignal): Promise<number>;

  /**
   * Subscribes to runtime errors from now on. Each call is a subscriber with
   * its own bounded buffer: iteration throws SubscriberOverflowError when it
   * falls too far behind, and an AbortError when the signal aborts.
   */
  errors(signal: AbortSignal): AsyncIterable<RuntimeErrorEvent>;
}

/**
 * What a backend that can lose its container runtime tells the health
 * service (Gitpod's IsContainerdReady): ready while connected and in sync.
 */
export interface Readiness {
  readonly ready: boolean;
  /** Calls `listener` on every change of `ready`; returns an unsubscriber. */
  onReadyChange(listener: (ready: boolean) => void): () => void;
}

/** A backend's counters and gauges at one moment, for metrics. */
export interface RuntimeStats {
  /** Workspace containers the index currently holds. */
  workspacesTracked: number;
  /** WaitForContainer / WaitForContainerStop calls still waiting. */
  pendingWaits: number;
  /** Open Errors streams. */
  errorsSubscribers: number;
  /** Whether the connection to the container runtime is up. */
  connected: boolean;
  /** Runtime events handled since start, by topic (e.g. `/tasks/create`). */
  eventsHandled: Readonly<Record<string, number>>;
  /** Full re-lists of containers and tasks since start. */
  resyncs: number;
  /** Connections to the container runtime re-established since start. */
  reconnects: number;
}

/** Read at every scrape, so stats() must be cheap and must not throw. */
export interface RuntimeStatsSource {
  stats(): RuntimeStats;
}
