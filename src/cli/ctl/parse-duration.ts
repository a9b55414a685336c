import { UsageError } from './usage-error.js';

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
// Go-style: one or more <number><unit>, e.g. 500ms, 30s, 1m30s, 1.5h.
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/** Milliseconds in a duration like `500ms`, `30s`, `10m`, `1h`, `1m30s`. */
export function parseDuration(text: string): number {
  if (!durationPattern.test(text)) {
    throw new UsageError(`invalid duration ${JSON.stringify(text)}: use a number with a unit, e.g. 500ms, 30s, 10m, 1h`);
  }
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(partPattern)) ms += Number(amount) * unitMs[unit as keyof typeof unitMs];
  if (ms <= 0) throw new UsageError(`invalid duration ${JSON.stringify(text)}: must be longer than 0`);
  return ms;
}
