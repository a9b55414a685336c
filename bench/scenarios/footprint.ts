// Scenario 4: what one wsruntimed costs a node, to size the DaemonSet's
// requests and limits. The daemon measured in scenarios 1 and 2 is a child
// process; it is sampled at three moments:
//   empty      serving, in sync with containerd, no workspace pods yet
//   tracked    N workspace pods in its index, idle
//   afterLoad  after the unary load of scenarios 1 and 2
// Heap is live heap (sampled after a forced GC); peak RSS is getrusage's
// maxrss, so it includes the busiest moment of the load.

import type { MemorySample } from '../footprint/wsruntimed-child.js';
import type { UnaryMeasurement, UnaryMethod } from './unary-calls.js';

export interface FootprintSamples {
  empty: MemorySample;
  tracked: MemorySample;
  afterLoad: MemorySample;
}

export interface IdleCpu {
  cores: number;
  windowMs: number;
}

export interface BusiestLoad {
  method: UnaryMethod;
  concurrency: number;
  callsPerSec: number;
  cpuCores: number;
  cpuMicrosPerCall: number;
}

export interface Footprint extends FootprintSamples {
  /** How the daemon ran. */
  process: string;
  workspaces: number;
  /** (tracked − empty) / workspaces; noisy at small N. */
  heapPerWorkspaceBytes: number;
  rssPerWorkspaceBytes: number;
  peakRssBytes: number;
  /** CPU while idle with N workspaces tracked. */
  idleCpu: IdleCpu;
  /** The daemon measurement of scenarios 1 and 2 that used the most CPU. */
  busiest: BusiestLoad;
}

export function summarizeFootprint(
  samples: FootprintSamples,
  workspaces: number,
  idleCpu: IdleCpu,
  unary: readonly UnaryMeasurement[],
  processDescription: string,
): Footprint {
  const { empty, tracked, afterLoad } = samples;
  const loads = unary.map(({ method, concurrency, daemon }) => ({
    method,
    concurrency,
    callsPerSec: daemon.callsPerSec,
    cpuCores: daemon.server?.cores ?? 0,
    cpuMicrosPerCall: daemon.server?.microsPerCall ?? 0,
  }));
  const busiest = loads.reduce((a, b) => (b.cpuCores > a.cpuCores ? b : a));
  return {
    process: processDescription,
    workspaces,
    ...samples,
    heapPerWorkspaceBytes: (tracked.heapUsedBytes - empty.heapUsedBytes) / workspaces,
    rssPerWorkspaceBytes: (tracked.rssBytes - empty.rssBytes) / workspaces,
    peakRssBytes: afterLoad.maxRssBytes,
    idleCpu,
    busiest,
  };
}
