// `npm run bench`: measures wsruntimed against baselines taken in the same
// run (see run-bench.ts). Progress goes to stderr; stdout gets the table, or
// only the JSON summary with --json. Ctrl-C (or SIGTERM) stops the
// measurements and cleans up; a second one exits at once, leaving the last
// resort to the exit hooks (containerd and its shims, the child, the temp dir).

import { setMaxListeners } from 'node:events';
import { isAbortError } from 'abort-controller-x';
import { benchUsage, parseBenchArgs, UsageError, type BenchOptions } from './bench-options.js';
import { formatReport } from './format-report.js';
import { runBench } from './run-bench.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`wsruntime bench: ${error.message} (see --help)\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(benchUsage);
    return 0;
  }

  const controller = new AbortController();
  // Every call in flight listens to it (and a few setup steps): not a leak.
  setMaxListeners(Math.max(...options.concurrency) + 20, controller.signal);
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nwsruntime bench: ${name}; cleaning up (again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = performance.now();
  try {
    const report = await runBench(options, controller.signal, (line) => process.stderr.write(`wsruntime bench: ${line}\n`));
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    process.stderr.write(`wsruntime bench: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (error) {
    // After an interrupt any failure is its consequence (Ctrl-C also reaches
    // the server children, which may go before the bench notices).
    if (controller.signal.aborted) {
      if (!isAbortError(error)) process.stderr.write(`wsruntime bench: interrupted (${error instanceof Error ? error.message : String(error)})\n`);
      return 130;
    }
    process.stderr.write(`wsruntime bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`wsruntime bench: ${String(error)}\n`);
    process.exitCode = 2;
  },
);
