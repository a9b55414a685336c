// `npm run demo`: a short transcript of what wsruntimed is for, against the
// daemon `npm start` runs (see run-demo.ts). Ctrl-C is handled here only.

import { isAbortError } from 'abort-controller-x';
import { demoUsage, parseDemoOptions } from './demo-options.js';
import { runDemo } from './run-demo.js';

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = await parseDemoOptions(argv, process.env);
  } catch (error) {
    process.stderr.write(`wsruntime demo: ${error instanceof Error ? error.message : String(error)} (see --help)\n`);
    return 2;
  }
  if (!options) {
    process.stdout.write(demoUsage);
    return 0;
  }
  // Ctrl-C aborts the steps; the demo's finally removes the pod. A second
  // Ctrl-C gives up on that.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nwsruntime demo: interrupted; cleaning up (Ctrl-C again to leave it)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    await runDemo(options, controller.signal);
    return 0;
  } catch (error) {
    if (isAbortError(error) && controller.signal.aborted) return 130;
    process.stderr.write(`wsruntime demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`wsruntime demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
