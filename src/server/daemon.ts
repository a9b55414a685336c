// The daemon's lifecycle: STARTING → RUNNING → STOPPING → STOPPED. It serves
// a Runtime it is given and does not own (the caller closes it after stop).
// Signals are not handled here but in the CLI entry, the one place for them.

import { delay } from 'abort-controller-x';
import type { Server } from 'nice-grpc';
import type { Logger } from 'pino';
import type { Runtime } from '../runtime.js';
import type { DaemonOptions } from './daemon-options.js';
import { createDaemonServer } from './daemon-server.js';
import { listenOnUnixSocket, unixAddress, type UnixSocket } from './socket.js';

export type DaemonState = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED';

export interface Daemon {
  readonly socketPath: string;
  /** `unix://<socketPath>`, for nice-grpc's createChannel (see unixAddress). */
  readonly address: string;
  readonly state: DaemonState;
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
}

const defaultShutdownGraceMs = 5_000;

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
  #socket: UnixSocket | undefined;
  #stopped: Promise<void> | undefined;

  constructor({ options, runtime, logger, shutdownGraceMs }: StartDaemonOptions) {
    this.socketPath = options.socket;
    this.address = unixAddress(options.socket);
    this.#options = options;
    this.#logger = logger;
    this.#shutdownGraceMs = shutdownGraceMs ?? defaultShutdownGraceMs;
    this.#server = createDaemonServer({ runtime, logger, stopping: this.#stopping.signal });
  }

  get state(): DaemonState {
    return this.#state;
  }

  async start(): Promise<void> {
    const { socket, socketMode, socketGroup } = this.#options;
    try {
      this.#socket = await listenOnUnixSocket({ path: socket, mode: socketMode, group: socketGroup }, (address) =>
        this.#server.listen(address),
      );
    } catch (error) {
      this.#server.forceShutdown();
      this.#state = 'STOPPED';
      throw error;
    }
    this.#state = 'RUNNING';
    this.#logger.info({ socket }, 'wsruntimed serving');
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#state = 'STOPPING';
    this.#logger.info('wsruntimed stopping');
    // shutdown() closes the listener at once and then waits for open calls;
    // aborting #stopping is what makes those calls end.
    const finished = this.#server.shutdown().then(
      () => true,
      () => true,
    );
    this.#stopping.abort();
    const grace = new AbortController();
    const inTime = await Promise.race([finished, delay(grace.signal, this.#shutdownGraceMs).then(() => false)]);
    grace.abort();
    if (!inTime) {
      this.#logger.warn({ graceMs: this.#shutdownGraceMs }, 'calls did not end in time; closing their connections');
      this.#server.forceShutdown();
    }
    try {
      await this.#socket?.remove();
    } catch (error) {
      this.#logger.warn({ err: error, socket: this.socketPath }, 'could not remove the socket file');
    }
    this.#state = 'STOPPED';
    this.#logger.info('wsruntimed stopped');
  }
}
