// The bench's command line, compiled once: defaults and validation here and
// nowhere else. Durations take the same units as wsruntimectl (500ms, 2s).

import { parseArgs } from 'node:util';
import { parseDuration } from '../src/cli/ctl/parse-duration.js';
import { UsageError } from '../src/cli/ctl/usage-error.js';

export interface BenchOptions {
  /** Workspace pods the daemon tracks while it is measured. */
  pods: number;
  /** How long each load measurement runs, after its warm-up. */
  durationMs: number;
  /** Calls made and thrown away before each measurement (JIT, connections). */
  warmupMs: number;
  /** Calls in flight at once; one measurement per level. */
  concurrency: number[];
  /** Pods started and removed, one at a time, for the event-latency figures. */
  eventRounds: number;
  /** Print the JSON summary (only it) on stdout instead of the table. */
  json: boolean;
}

export { UsageError };

export const benchUsage = `Usage: node --import tsx bench/run.ts [options]

Measures wsruntimed on a private containerd (never the system one): unary calls
against a bare nice-grpc server and against asking containerd directly, event
latency of the waits, and the daemon's memory footprint. Prints a table, or the
JSON summary with --json. Cleans up pods, processes and temp dirs on exit and Ctrl-C.

Options:
  --pods N              workspace pods tracked during the measurements (default 20)
  --duration D          length of each load measurement, e.g. 2s, 200ms (default 2s)
  --warmup D            warm-up before each load measurement, 0 for none (default a quarter of --duration)
  --concurrency LIST    calls in flight, comma-separated (default 1,32)
  --event-rounds N      pods started and removed for the event latency (default 5)
  --json                print the JSON summary instead of the table
  -h, --help            print this help
`;

/** undefined when help was asked for. Throws UsageError for a bad command line. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        pods: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        concurrency: { type: 'string' },
        'event-rounds': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  const durationMs = values.duration === undefined ? 2_000 : parseDuration(values.duration);
  return {
    pods: count('--pods', values.pods, 20, 1),
    durationMs,
    warmupMs: values.warmup === undefined ? Math.round(durationMs / 4) : values.warmup === '0' ? 0 : parseDuration(values.warmup),
    concurrency: (values.concurrency ?? '1,32').split(',').map((part) => count('--concurrency', part.trim(), 1, 1)),
    eventRounds: count('--event-rounds', values['event-rounds'], 5, 1),
    json: values.json ?? false,
  };
}

function count(flag: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > 10_000) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a whole number in ${min}..10000`);
  return value;
}
