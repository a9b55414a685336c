// A real wsruntimed on the real backend: startDaemon serving a
// ContainerdRuntime on the test stack's private containerd. Shared by the
// SDK and CLI end-to-end tests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { ContainerdRuntime } from '../../src/containerd/containerd-runtime.js';
import { compileDaemonOptions, type DaemonOptions } from '../../src/server/daemon-options.js';
import { startDaemon, type Daemon } from '../../src/server/daemon.js';
import { startStack, type TestStack } from '../support/stack.js';

export interface StackDaemon {
  stack: TestStack;
  runtime: ContainerdRuntime;
  daemon: Daemon;
  socket: string;
  /** Stops the daemon (not the runtime) and serves the same runtime on the same socket again. */
  restartDaemon(): Promise<void>;
  close(): Promise<void>;
}

const silent = pino({ level: 'silent' });

export async function startStackDaemon(): Promise<StackDaemon> {
  const stack = await startStack();
  const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-e2e-'));
  const options: DaemonOptions = compileDaemonOptions({ socket: path.join(dir, 'wsruntime.sock'), containerdAddress: stack.containerd.address });
  const runtime = new ContainerdRuntime({
    address: options.containerdAddress,
    namespace: options.containerdNamespace,
    pathMappings: options.pathMappings,
    instanceLabels: options.instanceLabels,
    workspaceContainer: options.workspaceContainer,
    logger: silent,
  });
  runtime.start();
  await ready(runtime);
  const serve = () => startDaemon({ options, runtime, logger: silent, shutdownGraceMs: 1_000 });
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
      await runtime.close();
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
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
