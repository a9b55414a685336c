// A real wsruntimed on the real backend, wired as the wsruntimed binary wires
// it: startDaemon serving a ContainerdRuntime (which also drives health and
// metrics) on the test stack's private containerd. Shared by the SDK, CLI,
// ops and bench end-to-end runs.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ContainerdRuntime } from '../../src/containerd/containerd-runtime.js';
import type { Backoff } from '../../src/containerd/event-pump.js';
import { compileDaemonOptions, type DaemonOptions } from '../../src/server/daemon-options.js';
import { startDaemon, type Daemon } from '../../src/server/daemon.js';
import { startStack, type TestStack } from './stack.js';

export interface StackDaemon {
  stack: TestStack;
  runtime: ContainerdRuntime;
  daemon: Daemon;
  socket: string;
  /** Stops the daemon (not the runtime) and serves the same runtime on the same socket again. */
  restartDaemon(): Promise<void>;
  close(): Promise<void>;
}

export interface StackDaemonOptions {
  /** Serve Prometheus metrics on a free loopback port (see daemon.metricsUrl). */
  metrics?: boolean;
  /** The backend's reconnect backoff; short ones keep restart tests quick. */
  backoff?: Backoff;
}

const silent = pino({ level: 'silent' });

export async function startStackDaemon(opts: StackDaemonOptions = {}): Promise<StackDaemon> {
  const stack = await startStack();
  const cleanups: Array<() => unknown> = [() => stack.close()];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-e2e-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const options: DaemonOptions = compileDaemonOptions({
      socket: path.join(dir, 'wsruntime.sock'),
      containerdAddress: stack.containerd.address,
      metricsAddress: opts.metrics ? '127.0.0.1:0' : undefined,
    });
    const runtime = new ContainerdRuntime({
      address: options.containerdAddress,
      namespace: options.containerdNamespace,
      pathMappings: options.pathMappings,
      instanceLabels: options.instanceLabels,
      workspaceContainer: options.workspaceContainer,
      logger: silent,
      backoff: opts.backoff,
    });
    runtime.start();
    cleanups.push(() => runtime.close());
    await ready(runtime);
    const serve = () => startDaemon({ options, runtime, readiness: runtime, stats: runtime, logger: silent, shutdownGraceMs: 1_000 });
    const fixture: StackDaemon = {
      stack,
      runtime,
      socket: options.socket,
      daemon: await serve(),
      async restartDaemon() {
        await fixture.daemon.stop();
        fixture.daemon = await serve();
      },
      async close() {
        await fixture.daemon.stop();
        await cleanUp();
      },
    };
    return fixture;
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Resolves once the backend is connected and in sync (what health reports). */
export async function ready(runtime: ContainerdRuntime, timeoutMs = 15_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error('the containerd backend did not become ready')), timeoutMs);
    const unsubscribe = runtime.onReadyChange((isReady) => isReady && done());
    // Subscribed first, so a change between the two is not missed.
    if (runtime.ready) done();
  });
}
