// Scenarios 1 and 2: the same unary question asked three ways, back to back
// for each method and concurrency so that drift (other load on the machine)
// hits all three alike. Each server runs in a process of its own:
//   daemon      wsruntimed (startDaemon + ContainerdRuntime, every middleware), answering from its index
//   bare        a nice-grpc server with constant answers and no middleware
//   containerd  asked itself per request, as a naive tool would
// The daemon and the bare server are asked through the SDK, so the client's
// cost is the same on both sides; each server's CPU time per call is
// measured apart from the client's.

import type { RuntimeClient } from '../../src/client/index.js';
import { measureLoad, warmUp, type LoadResult } from '../measure-load.js';
import type { NaiveContainerdTool } from '../naive-containerd-tool.js';

export const unaryMethods = ['ContainerPID', 'ContainerCGroupPath'] as const;
export type UnaryMethod = (typeof unaryMethods)[number];

export interface UnaryTargets {
  daemon: RuntimeClient;
  bare: RuntimeClient;
  containerd: NaiveContainerdTool;
  /** Each server's CPU time so far, in µs. */
  cpuMicros: { daemon: () => number; bare: () => number; containerd: () => number };
  /** Workspace container ids, asked about in turn. */
  containerIds: readonly string[];
}

export interface UnaryMeasurement {
  method: UnaryMethod;
  concurrency: number;
  daemon: LoadResult;
  bare: LoadResult;
  containerd: LoadResult;
}

export interface UnaryOptions {
  concurrency: readonly number[];
  durationMs: number;
  warmupMs: number;
  signal: AbortSignal;
  progress: (line: string) => void;
}

/**
 * Fails unless the daemon and containerd give the same answers: a bench
 * comparing a fast wrong answer with a slow right one proves nothing.
 */
export async function checkAnswersAgree(targets: UnaryTargets, signal: AbortSignal): Promise<void> {
  for (const id of targets.containerIds) {
    const daemonPid = await targets.daemon.containerPID(id, { signal });
    const naivePid = await targets.containerd.containerPID(id, signal);
    if (daemonPid !== naivePid) throw new Error(`container ${id}: the daemon says pid ${daemonPid}, containerd says ${naivePid}`);
    const daemonPath = await targets.daemon.containerCGroupPath(id, { signal });
    const naivePath = await targets.containerd.containerCGroupPath(id, signal);
    if (daemonPath !== naivePath) throw new Error(`container ${id}: the daemon says cgroup ${daemonPath}, containerd says ${naivePath}`);
  }
}

export async function measureUnaryCalls(targets: UnaryTargets, options: UnaryOptions): Promise<UnaryMeasurement[]> {
  const { containerIds: ids, containerd, cpuMicros } = targets;
  const { signal } = options;
  const idAt = (i: number) => ids[i % ids.length]!;
  const viaSdk = (client: RuntimeClient, method: UnaryMethod) =>
    method === 'ContainerPID'
      ? (i: number) => client.containerPID(idAt(i), { signal })
      : (i: number) => client.containerCGroupPath(idAt(i), { signal });
  const viaContainerd = (method: UnaryMethod) =>
    method === 'ContainerPID'
      ? (i: number) => containerd.containerPID(idAt(i), signal)
      : (i: number) => containerd.containerCGroupPath(idAt(i), signal);

  // Every target and method once before anything is measured, at the highest
  // concurrency: otherwise the first measurement of each server pays for its
  // JIT (measured: up to twice the CPU per call) and the later ones do not.
  const firstWarmUp = { concurrency: Math.max(...options.concurrency), durationMs: options.warmupMs, signal };
  if (firstWarmUp.durationMs > 0) {
    options.progress('warming up every server');
    for (const method of unaryMethods) {
      await warmUp(viaSdk(targets.daemon, method), firstWarmUp);
      await warmUp(viaSdk(targets.bare, method), firstWarmUp);
      await warmUp(viaContainerd(method), firstWarmUp);
    }
  }

  const measurements: UnaryMeasurement[] = [];
  for (const method of unaryMethods) {
    for (const concurrency of options.concurrency) {
      const measure = async (target: string, call: (i: number) => Promise<unknown>, serverCpuMicros: () => number) => {
        options.progress(`${method} ×${concurrency} in flight: ${target}`);
        return measureLoad(call, { concurrency, durationMs: options.durationMs, warmupMs: options.warmupMs, signal, serverCpuMicros });
      };
      const daemon = await measure('daemon', viaSdk(targets.daemon, method), cpuMicros.daemon);
      const bare = await measure('bare nice-grpc', viaSdk(targets.bare, method), cpuMicros.bare);
      const direct = await measure('containerd directly', viaContainerd(method), cpuMicros.containerd);
      measurements.push({ method, concurrency, daemon, bare, containerd: direct });
    }
  }
  return measurements;
}
