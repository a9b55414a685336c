// The daemon's lifecycle: STARTING → RUNNING → STOPPING → STOPPED. It serves
// a Runtime it is given and does not own (the caller closes it after stop).
// Signals are not handled here but in the CLI entry, the one place for them.

import { delay } from 'abort-controller-x';
import type { Server } from 'nice-grpc';
import type { Logger } from 'pino';
import type { Readiness, Runtime, RuntimeStatsSource } from '../runtime.js';
import type { DaemonOptions } from './daemon-options.js';
import { createDaemonServer } from './daemon-server.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import type { OpenCalls } from './open-calls.js';
import { listenOnUnixSocket, unixAddress, type UnixSocket } from './socket.js';

export type DaemonState = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export interface Daemon {
  readonly socketPath: string;
  /** `unix://<socketPath>`, for nice-grpc's createChannel (see unixAddress). */
  readonly address: string;
  readonly state: DaemonState;
  /** `http://host:port/metrics` while metrics are served (--metrics-address), else undefined. */
  readonly metricsUrl: string | undefined;
  /**
   * Stops accepting connections, ends open calls (Errors streams and waits)
   * with UNAVAILABLE, waits for them to finish and removes the socket file.
   * Idempotent.
   */
  stop(): Promise<void>;
}

export interface StartDaemonOptions {
  options: DaemonOptions;
  runtime: Runtime;
  logger: Logger;
  /** How long stop() lets calls finish before cutting connections. Default 5 s. */
  shutdownGraceMs?: number;
  /** Drives grpc.health.v1. Default: always ready (a Runtime with no connection to lose, e.g. a test double). */
  readiness?: Readiness;
  /** Backend stats for --metrics-address; without it only gRPC and process metrics are served. */
  stats?: RuntimeStatsSource;
}

const alwaysReady: Readiness = { ready: true, onReadyChange: () => () => {} };

const defaultShutdownGraceMs = 5_000;

// Once no call is open, how long stop() lets connections close after the
// GOAWAY (time enough to flush the last statuses) before cutting them: a
// peer that stays connected with nothing to say is stalled, not finishing.
const idleConnectionLingerMs = 200;

/** Starts serving on options.socket; rejects (leaving nothing behind) if it cannot. */
export async function startDaemon(params: StartDaemonOptions): Promise<Daemon> {
  const daemon = new ServingDaemon(params);
  await daemon.start();
  return daemon;
}

class ServingDaemon implements Daemon {
  readonly socketPath: string;
  readonly address: string;
  #state: DaemonState = 'STARTING';
  readonly #options: DaemonOptions;
  readonly #logger: Logger;
  readonly #shutdownGraceMs: number;
  // Aborted by stop(); the shutdown middleware ends open calls with it.
  readonly #stopping = new AbortController();
  readonly #server: Server;
  readonly #stopHealth: () => void;
  readonly #openCalls: OpenCalls;
  readonly #stats: RuntimeStatsSource | undefined;
  #metrics: MetricsServer | undefined;
  #socket: UnixSocket | undefined;
  #stopped: Promise<void> | undefined;

  constructor({ options, runtime, logger, shutdownGraceMs, readiness, stats }: StartDaemonOptions) {
    this.socketPath = options.socket;
    this.address = unixAddress(options.socket);
    this.#options = options;
    this.#logger = logger;
    this.#shutdownGraceMs = shutdownGraceMs ?? defaultShutdownGraceMs;
    this.#stats = stats;
    ({ server: this.#server, stopHealth: this.#stopHealth, openCalls: this.#openCalls } = createDaemonServer({
      runtime,
      readiness: readiness ?? alwaysReady,
      logger,
      stopping: this.#stopping.signal,
    }));
  }

  get state(): DaemonState {
    return this.#state;
  }

  get metricsUrl(): string | undefined {
    return this.#metrics?.url;
  }

  async start(): Promise<void> {
    const { socket, socketMode, socketGroup, metricsAddress } = this.#options;
    try {
      if (metricsAddress) this.#metrics = await startMetricsServer({ address: metricsAddress, source: this.#stats });
      this.#socket = await listenOnUnixSocket({ path: socket, mode: socketMode, group: socketGroup }, (address) =>
        this.#server.listen(address),
      );
    } catch (error) {
      this.#stopHealth();
      this.#server.forceShutdown();
      await this.#metrics?.close();
      this.#state = 'STOPPED';
      throw error;
    }
    this.#state = 'RUNNING';
    this.#logger.info({ socket, metrics: this.metricsUrl }, 'wsruntimed serving');
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#state = 'STOPPING';
    this.#logger.info('wsruntimed stopping');
    // Health callers see NOT_SERVING before their Watch streams end.
    this.#stopHealth();
    // shutdown() closes the listener at once and then waits for open calls
    // and connections; aborting #stopping is what makes those calls end.
    const closed = this.#server.shutdown().then(
      () => true,
      () => true,
    );
    this.#stopping.abort();
    const timers = new AbortController();
    const lingered = this.#openCalls.ended().then(() => delay(timers.signal, idleConnectionLingerMs));
    const inTime = await Promise.race([closed, lingered.then(() => false), delay(timers.signal, this.#shutdownGraceMs).then(() => false)]);
    timers.abort();
    if (!inTime) {
      if (this.#openCalls.count > 0) {
        this.#logger.warn({ graceMs: this.#shutdownGraceMs, openCalls: this.#openCalls.count }, 'calls did not end in time; closing their connections');
      } else {
        this.#logger.debug('closing connections that stayed open with no call on them');
      }
      this.#server.forceShutdown();
    }
    try {
      await this.#socket?.remove();
    } catch (error) {
      this.#logger.warn({ err: error, socket: this.socketPath }, 'could not remove the socket file');
    }
    await this.#metrics?.close();
    this.#state = 'STOPPED';
    this.#logger.info('wsruntimed stopped');
  }
}
