// One bench run, start to finish: a private containerd (the e2e tests'
// fixture, which also serves an in-process daemon), N workspace pods, the
// daemon and a bare server as child processes, a naive containerd client;
// then the scenarios; then everything torn down again, on success, failure
// and abort alike.

import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay } from 'abort-controller-x';
import { createRuntimeClient } from '../src/client/index.js';
import { findShims } from '../src/devstack/host-cleanup.js';
import { startStackDaemon } from '../test/support/stack-daemon.js';
import { startBareServerChild } from './bare-server-child.js';
import type { BenchOptions } from './bench-options.js';
import { compareUnary, type BenchReport } from './bench-report.js';
import { CleanupStack } from './cleanup-stack.js';
import { compileDaemon } from './footprint/compile-daemon.js';
import { startWsruntimedChild } from './footprint/wsruntimed-child.js';
import { createNaiveContainerdTool } from './naive-containerd-tool.js';
import { cpuMicros } from './process-cpu.js';
import { measureEventLatency } from './scenarios/event-latency.js';
import { summarizeFootprint, type IdleCpu } from './scenarios/footprint.js';
import { checkAnswersAgree, measureUnaryCalls } from './scenarios/unary-calls.js';
import { createWorkspacePods, waitUntilTracked } from './workspace-pods.js';

export type Progress = (line: string) => void;

export async function runBench(options: BenchOptions, signal: AbortSignal, progress: Progress): Promise<BenchReport> {
  const cleanup = new CleanupStack();
  let report: BenchReport;
  try {
    report = await measure(options, signal, progress, cleanup);
  } catch (error) {
    // The measurement's failure is the news; a cleanup failure after it is only told.
    await cleanup.run().catch((cleanupError: unknown) => progress(String((cleanupError as Error).message)));
    throw error;
  }
  await cleanup.run();
  return report;
}

async function measure(options: BenchOptions, signal: AbortSignal, progress: Progress, cleanup: CleanupStack): Promise<BenchReport> {
  const warnings: string[] = [];
  const loadAtStart = loadavg()[0]!;
  // Short: the sockets of the children live here.
  const dir = await mkdtemp(join(tmpdir(), 'wsrt-bench-'));
  const removeDirOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDirOnExit);
  cleanup.push('remove the temp dir', async () => {
    await rm(dir, { recursive: true, force: true });
    process.off('exit', removeDirOnExit);
  });

  progress('starting a private containerd; compiling wsruntimed');
  // Side by side, but both settled before going on, so a failure of one never
  // leaves the other running unseen.
  const [compiled, started] = await Promise.allSettled([compileDaemon(join(dir, 'build'), signal), startStackDaemon()]);
  if (started.status === 'fulfilled') cleanup.push('stop the in-process daemon and containerd', () => started.value.close());
  if (started.status === 'rejected') throw started.reason;
  if (compiled.status === 'rejected') throw compiled.reason;
  if (compiled.value.warning) warnings.push(compiled.value.warning);
  const fixture = started.value;
  const { stack } = fixture;
  const { runtimeVersion } = await stack.kubelet.version(signal);

  progress('starting wsruntimed as a child process');
  const child = await startWsruntimedChild({ entry: compiled.value.entry, socket: join(dir, 'wsruntimed.sock'), containerdAddress: stack.containerd.address, signal });
  cleanup.push('stop the wsruntimed child', () => child.stop());
  const daemon = createRuntimeClient({ socket: child.socket });
  cleanup.push('close the daemon client', () => daemon.close());
  const empty = await child.sample();

  progress(`creating ${options.pods} workspace pods`);
  const pods = await createWorkspacePods(stack, options.pods, signal);
  const inProcess = createRuntimeClient({ socket: fixture.socket });
  cleanup.push('close the in-process daemon client', () => inProcess.close());
  await waitUntilTracked(daemon, pods, signal);
  await waitUntilTracked(inProcess, pods, signal);
  const tracked = await child.sample();
  const idleCpu = await measureIdleCpu(child.pid, options.durationMs, signal);

  progress('starting the bare server as a child process');
  const first = pods[0]!.containerId;
  const bareServer = await startBareServerChild(
    join(dir, 'bare.sock'),
    {
      containerId: first,
      pid: await daemon.containerPID(first, { signal }),
      cgroupPath: await daemon.containerCGroupPath(first, { signal }),
      rootfs: await daemon.containerRootfs(first, { signal }),
      upperdir: await daemon.containerUpperdir(first, { signal }),
    },
    signal,
  );
  cleanup.push('stop the bare server', () => bareServer.stop());
  const bare = createRuntimeClient({ socket: bareServer.address });
  cleanup.push('close the bare client', () => bare.close());
  const containerd = createNaiveContainerdTool(stack.containerd.address, stack.namespace);
  cleanup.push('close the containerd client', () => containerd.close());
  // Tasks.Get asks the task's shim for its state: containerd's cost includes its shims'.
  const containerdPids = [stack.containerd.pid, ...findShims(stack.containerd.address)];

  const containerIds = pods.map((pod) => pod.containerId);
  const targets = {
    daemon,
    bare,
    containerd,
    containerIds,
    cpuMicros: { daemon: () => cpuMicros([child.pid]), bare: () => cpuMicros([bareServer.pid]), containerd: () => cpuMicros(containerdPids) },
  };
  await checkAnswersAgree(targets, signal);
  const unary = await measureUnaryCalls(targets, { concurrency: options.concurrency, durationMs: options.durationMs, warmupMs: options.warmupMs, signal, progress });
  const afterLoad = await child.sample();

  // Through the in-process daemon: there the bench can see when the daemon
  // holds a wait, so it times the event path and not a lookup.
  progress(`event latency: ${options.eventRounds} pods, one at a time`);
  const eventLatency = await measureEventLatency(
    { stack, client: inProcess, pendingWaits: () => fixture.runtime.stats().pendingWaits },
    options.eventRounds,
    signal,
  );

  return {
    setup: {
      pods: options.pods,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      concurrency: options.concurrency,
      eventRounds: options.eventRounds,
      node: process.version,
      containerd: runtimeVersion,
      cpus: availableParallelism(),
      loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0]! },
      clients:
        'Clients: the wsruntime SDK (daemon, bare server) and our containerd client (containerd), all in the bench process. ' +
        'Servers: wsruntimed (compiled, its own process), the bare server (its own process), containerd.',
    },
    ...compareUnary(unary),
    eventLatency,
    footprint: summarizeFootprint({ empty, tracked, afterLoad }, pods.length, idleCpu, unary, 'node --expose-gc wsruntimed.js, compiled from src/ by tsc'),
    warnings,
  };
}

/** CPU cores a process uses over a window in which nobody calls it. */
async function measureIdleCpu(pid: number, windowMs: number, signal: AbortSignal): Promise<IdleCpu> {
  const cpuBefore = cpuMicros([pid]);
  const started = performance.now();
  await delay(signal, windowMs);
  const elapsedMs = performance.now() - started;
  return { cores: (cpuMicros([pid]) - cpuBefore) / 1000 / elapsedMs, windowMs: elapsedMs };
}
