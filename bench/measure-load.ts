// Closed-loop load: `concurrency` workers each make one call at a time, back
// to back, for a fixed time after a warm-up whose calls are not counted. A
// failed call ends the measurement (a bench that counts errors as fast calls
// lies). Bounded by time and by maxCalls, and stops when the signal aborts.

import { throwIfAborted } from 'abort-controller-x';
import { summarizeLatencies, type LatencySummary } from './latency-summary.js';

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  signal: AbortSignal;
  /** The server's CPU time so far in µs (see process-cpu.ts), read around the measured phase. */
  serverCpuMicros?: () => number;
  /** A safety bound on calls per phase, far above what a few seconds allow. */
  maxCalls?: number;
}

export interface ServerCpu {
  /** CPU cores the server used while measured. */
  cores: number;
  /** CPU time the server spent per call: its cost, apart from the client's. */
  microsPerCall: number;
}

export interface LoadResult extends LatencySummary {
  concurrency: number;
  callsPerSec: number;
  server?: ServerCpu;
}

/** `call(i)` makes the i-th call of its phase; callers use i to rotate keys. */
export async function measureLoad(call: (i: number) => Promise<unknown>, options: LoadOptions): Promise<LoadResult> {
  const maxCalls = options.maxCalls ?? 5_000_000;
  if (options.warmupMs > 0) await runPhase(call, options.concurrency, options.warmupMs, maxCalls, options.signal, undefined);
  const latencies: number[] = [];
  const cpuBefore = options.serverCpuMicros?.();
  const started = performance.now();
  await runPhase(call, options.concurrency, options.durationMs, maxCalls, options.signal, latencies);
  // Until the last in-flight call came back, not the nominal duration.
  const elapsedMs = performance.now() - started;
  const cpuUsed = cpuBefore === undefined ? undefined : options.serverCpuMicros!() - cpuBefore;
  return {
    concurrency: options.concurrency,
    callsPerSec: (latencies.length / elapsedMs) * 1000,
    ...summarizeLatencies(latencies),
    server: cpuUsed === undefined ? undefined : { cores: cpuUsed / 1000 / elapsedMs, microsPerCall: cpuUsed / latencies.length },
  };
}

async function runPhase(
  call: (i: number) => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  maxCalls: number,
  signal: AbortSignal,
  latencies: number[] | undefined,
): Promise<void> {
  const end = performance.now() + durationMs;
  let issued = 0;
  const worker = async () => {
    while (performance.now() < end && issued < maxCalls) {
      throwIfAborted(signal);
      const i = issued++;
      const t0 = performance.now();
      await call(i);
      latencies?.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
