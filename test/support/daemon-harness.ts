// Starts the real daemon (startDaemon) on a temp unix socket with a
// RuntimeDouble behind it, and a real channel and client in front of it.
// close() ends all of them and removes the temp directory.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createChannel, createClientFactory, type Channel } from 'nice-grpc';
import { deadlineMiddleware } from 'nice-grpc-client-middleware-deadline';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { pino, type Logger } from 'pino';
import { RuntimeServiceDefinition, type RuntimeServiceClient } from '../../gen/wsruntime/v1/runtime.js';
import { compileDaemonOptions, type DaemonOptionsInput } from '../../src/server/daemon-options.js';
import { startDaemon, type Daemon } from '../../src/server/daemon.js';
import { RuntimeDouble } from './runtime-double.js';

export type TestClient = RuntimeServiceClient<{ deadline?: Date | number }>;

export interface DaemonHarness {
  daemon: Daemon;
  runtime: RuntimeDouble;
  /** The daemon's socket path (the same across restarts). */
  socket: string;
  channel: Channel;
  client: TestClient;
  /** The temp directory holding the socket. */
  dir: string;
  /** Log records the daemon wrote (level debug and up). */
  logs: Array<Record<string, unknown>>;
  /** Stops this daemon and starts a new one, on a new double, at the same socket. */
  restart(runtime?: RuntimeDouble): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  runtime?: RuntimeDouble;
  options?: DaemonOptionsInput;
  shutdownGraceMs?: number;
}

export function createTestClient(channel: Channel): TestClient {
  return createClientFactory().use(errorDetailsClientMiddleware).use(deadlineMiddleware).create(RuntimeServiceDefinition, channel);
}

export function capturingLogger(): { logger: Logger; logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  return { logger, logs };
}

export async function startTestDaemon(harness: HarnessOptions = {}): Promise<DaemonHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-test-'));
  const { logger, logs } = capturingLogger();
  const options = compileDaemonOptions({ socket: path.join(dir, 'wsruntime.sock'), ...harness.options });
  const start = (runtime: RuntimeDouble) => startDaemon({ options, runtime, logger, shutdownGraceMs: harness.shutdownGraceMs });
  const runtime = harness.runtime ?? new RuntimeDouble();
  let daemon: Daemon;
  try {
    daemon = await start(runtime);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const channel = createChannel(daemon.address);
  const fixture: DaemonHarness = {
    daemon,
    runtime,
    socket: options.socket,
    channel,
    client: createTestClient(channel),
    dir,
    logs,
    async restart(next = new RuntimeDouble()) {
      await fixture.daemon.stop();
      fixture.runtime = next;
      fixture.daemon = await start(next);
    },
    async close() {
      channel.close();
      await fixture.daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
