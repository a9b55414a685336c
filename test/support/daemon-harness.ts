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
  channel: Channel;
  client: TestClient;
  /** The temp directory holding the socket. */
  dir: string;
  /** Log records the daemon wrote (level debug and up). */
  logs: Array<Record<string, unknown>>;
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
  const runtime = harness.runtime ?? new RuntimeDouble();
  const { logger, logs } = capturingLogger();
  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      options: compileDaemonOptions({ socket: path.join(dir, 'wsruntime.sock'), ...harness.options }),
      runtime,
      logger,
      shutdownGraceMs: harness.shutdownGraceMs,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const channel = createChannel(daemon.address);
  return {
    daemon,
    runtime,
    channel,
    client: createTestClient(channel),
    dir,
    logs,
    async close() {
      channel.close();
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
