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

export interface CpuCost {
  /** CPU cores used while measured. */
  cores: number;
  /** CPU time spent per call. */
  microsPerCall: number;
}

export interface LoadResult extends LatencySummary {
  concurrency: number;
  callsPerSec: number;
  /** The server process's CPU: its cost, apart from the client's. */
  server?: CpuCost;
  /** The bench process's CPU, i.e. the client's (one thread: at 1 core it is the bottleneck). */
  client: CpuCost;
}

/** Calls for a while without measuring: JIT-compiles the hot paths of client and server. */
export async function warmUp(call: (i: number) => Promise<unknown>, options: Omit<LoadOptions, 'warmupMs' | 'serverCpuMicros'>): Promise<void> {
  await runPhase(call, options.concurrency, options.durationMs, options.maxCalls ?? 5_000_000, options.signal, undefined);
}

/** `call(i)` makes the i-th call of its phase; callers use i to rotate keys. */
export async function measureLoad(call: (i: number) => Promise<unknown>, options: LoadOptions): Promise<LoadResult> {
  const maxCalls = options.maxCalls ?? 5_000_000;
  if (options.warmupMs > 0) await runPhase(call, options.concurrency, options.warmupMs, maxCalls, options.signal, undefined);
  const latencies: number[] = [];
  const serverBefore = options.serverCpuMicros?.();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await runPhase(call, options.concurrency, options.durationMs, maxCalls, options.signal, latencies);
  // Until the last in-flight call came back, not the nominal duration.
  const elapsedMs = performance.now() - started;
  const clientUsed = process.cpuUsage(clientBefore);
  const cost = (micros: number): CpuCost => ({ cores: micros / 1000 / elapsedMs, microsPerCall: micros / latencies.length });
  return {
    concurrency: options.concurrency,
    callsPerSec: (latencies.length / elapsedMs) * 1000,
    ...summarizeLatencies(latencies),
    server: serverBefore === undefined ? undefined : cost(options.serverCpuMicros!() - serverBefore),
    client: cost(clientUsed.user + clientUsed.system),
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
