// The bench's result: what --json prints and the table is made from. Ratios
// are daemon ÷ baseline for every figure, so calls/s below 1 and latency
// above 1 both mean "the daemon is slower".

import type { LoadResult } from './measure-load.js';
import type { EventLatency } from './scenarios/event-latency.js';
import type { Footprint } from './scenarios/footprint.js';
import type { UnaryMeasurement, UnaryMethod } from './scenarios/unary-calls.js';

export interface Ratios {
  callsPerSec: number;
  p50: number;
  p99: number;
  /** Server CPU time per call. */
  cpuPerCall: number;
}

export interface DaemonVsBare {
  method: UnaryMethod;
  concurrency: number;
  daemon: LoadResult;
  bare: LoadResult;
  ratio: Ratios;
}

export interface DaemonVsContainerd {
  method: UnaryMethod;
  concurrency: number;
  daemon: LoadResult;
  containerd: LoadResult;
  ratio: Ratios;
}

export interface BenchSetup {
  pods: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number[];
  eventRounds: number;
  node: string;
  containerd: string;
  cpus: number;
  /** 1-minute load average when the bench started and ended: other work on the machine skews every figure. */
  loadAverage: { atStart: number; atEnd: number };
  /** Who asks, and where each server runs. */
  clients: string;
}

export interface BenchReport {
  setup: BenchSetup;
  daemonVsBare: DaemonVsBare[];
  daemonVsContainerd: DaemonVsContainerd[];
  eventLatency: EventLatency;
  footprint: Footprint;
  /** Things a reader of the figures should know (e.g. a tsc warning). */
  warnings: string[];
}

export function ratios(daemon: LoadResult, baseline: LoadResult): Ratios {
  return {
    callsPerSec: daemon.callsPerSec / baseline.callsPerSec,
    p50: daemon.p50Ms / baseline.p50Ms,
    p99: daemon.p99Ms / baseline.p99Ms,
    cpuPerCall: (daemon.server?.microsPerCall ?? NaN) / (baseline.server?.microsPerCall ?? NaN),
  };
}

export function compareUnary(measurements: readonly UnaryMeasurement[]): Pick<BenchReport, 'daemonVsBare' | 'daemonVsContainerd'> {
  return {
    daemonVsBare: measurements.map(({ method, concurrency, daemon, bare }) => ({ method, concurrency, daemon, bare, ratio: ratios(daemon, bare) })),
    daemonVsContainerd: measurements.map(({ method, concurrency, daemon, containerd }) => ({ method, concurrency, daemon, containerd, ratio: ratios(daemon, containerd) })),
  };
}
