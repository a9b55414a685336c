#!/usr/bin/env node
// wsruntimectl: the command-line client of wsruntimed, as crictl is of the
// CRI. Parsing and help need no gRPC, so the client is imported only when a
// command actually runs. Signal handling lives here and nowhere else.

import { parseCommandLine } from './ctl/parse-command-line.js';
import { UsageError } from './ctl/usage-error.js';

async function main(argv: readonly string[]): Promise<number> {
  let commandLine;
  try {
    commandLine = parseCommandLine(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`wsruntimectl: ${error.message} (see 'wsruntimectl --help')\n`);
    return 2;
  }
  if (commandLine.kind === 'help') {
    process.stdout.write(commandLine.text);
    return 0;
  }

  // Ctrl-C (or SIGTERM) cancels the call through its AbortSignal, so the
  // daemon stops the work too; a second one ends the process at once.
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) process.exit(signal === 'SIGTERM' ? 143 : 130);
    interruptedBy = signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A reader that went away (`| head -1`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

  try {
    const { runInvocation } = await import('./ctl/run-invocation.js');
    return await runInvocation(commandLine.invocation, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
      interruptedBy: () => interruptedBy,
    });
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
    process.stderr.write(`wsruntimectl: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
