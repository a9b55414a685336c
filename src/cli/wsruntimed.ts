#!/usr/bin/env node
// wsruntimed: serves wsruntime.v1.RuntimeService for containerd on a unix
// socket. This file is the one place that handles signals: SIGTERM/SIGINT
// stop the daemon and exit 0 (a second signal exits at once).
//
// Exit codes: 0 help or clean stop, 1 could not start (e.g. the socket path
// is taken), 2 bad options.
//
// Only the option parser is imported up front, so that `--help` and option
// errors answer without loading gRPC, pino or the backend.

import type { Logger } from 'pino';
import { DaemonOptionsError, daemonUsage, isHelpRequested, parseDaemonArgs, type DaemonOptions } from '../server/daemon-options.js';

async function main(argv: readonly string[]): Promise<number> {
  if (isHelpRequested(argv)) {
    process.stdout.write(daemonUsage());
    return 0;
  }
  let options: DaemonOptions;
  try {
    options = parseDaemonArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof DaemonOptionsError)) throw error;
    process.stderr.write(`wsruntimed: ${error.message}\n`);
    return 2;
  }
  return serve(options);
}

async function serve(options: DaemonOptions): Promise<number> {
  // Signals are ours from here on: one that arrives while the daemon is still
  // starting (Node would otherwise die of it, leaving its socket behind) stops
  // it as soon as it serves; a second one exits at once.
  let logger: Logger | undefined;
  let received: (signal: NodeJS.Signals) => void = () => {};
  const firstSignal = new Promise<NodeJS.Signals>((resolve) => (received = resolve));
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger?.warn({ signal }, 'second signal; exiting without finishing the stop');
      process.exit(1);
    }
    signalled = true;
    received(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const [{ pino }, { startDaemon }, { ContainerdRuntime }] = await Promise.all([
    import('pino'),
    import('../server/daemon.js'),
    import('../containerd/containerd-runtime.js'),
  ]);
  // JSON lines to stderr, written synchronously so nothing is lost on exit.
  logger = pino({ name: 'wsruntimed', level: options.logLevel }, pino.destination({ fd: 2, sync: true }));

  const runtime = new ContainerdRuntime({
    address: options.containerdAddress,
    namespace: options.containerdNamespace,
    pathMappings: options.pathMappings,
    instanceLabels: options.instanceLabels,
    workspaceContainer: options.workspaceContainer,
    logger: logger.child({ component: 'containerd' }),
  });
  // Connects in the background: the daemon serves (and reports UNAVAILABLE)
  // while containerd is down.
  runtime.start();

  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  try {
    daemon = await startDaemon({ options, runtime, readiness: runtime, stats: runtime, logger });
  } catch (error) {
    logger.fatal({ err: error }, 'wsruntimed cannot start');
    process.stderr.write(`wsruntimed: ${error instanceof Error ? error.message : String(error)}\n`);
    await runtime.close();
    return 1;
  }
  process.stdout.write(`wsruntimed: serving on ${daemon.socketPath} (${daemon.address})\n`);

  logger.info({ signal: await firstSignal }, 'signal received');
  await daemon.stop();
  await runtime.close();
  return 0;
}

// Exit explicitly, so that a handle a dependency leaves open cannot keep a
// stopped daemon alive. Nothing is lost: the logger writes synchronously, and
// on Linux so do process.stdout and stderr to files, pipes and terminals.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`wsruntimed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
