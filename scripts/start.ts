// `npm start`: runs wsruntimed in the foreground. When no containerd answers
// at --containerd-address (a fresh machine), it first starts a private one
// with the local busybox and pause images, and links its socket next to
// ours as `dev-containerd.sock` so `npm run demo` finds it. The private
// containerd and everything it ran are removed when the daemon exits.

import { spawn } from 'node:child_process';
import { lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DaemonOptionsError, isHelpRequested, parseDaemonArgs } from '../src/server/daemon-options.js';
import { startDevContainerd } from '../src/devstack/dev-containerd.js';
import type { PrivateContainerd } from '../src/devstack/private-containerd.js';

const daemonBin = fileURLToPath(new URL('../dist/src/cli/wsruntimed.js', import.meta.url));

async function isSocket(path: string): Promise<boolean> {
  return lstat(path).then((s) => s.isSocket(), () => false);
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let privateContainerd: PrivateContainerd | undefined;
  let devLink: string | undefined;
  if (!isHelpRequested(argv)) {
    const options = parseDaemonArgs(argv, process.env);
    if (!(await isSocket(options.containerdAddress))) {
      console.log(`wsruntime: no containerd at ${options.containerdAddress}; starting a private one`);
      privateContainerd = await startDevContainerd();
      devLink = join(dirname(options.socket), 'dev-containerd.sock');
      await mkdir(dirname(devLink), { recursive: true });
      await rm(devLink, { force: true });
      await symlink(privateContainerd.address, devLink);
      console.log(`wsruntime: private containerd at ${privateContainerd.address} (linked as ${devLink})`);
      args.push('--containerd-address', privateContainerd.address);
    }
  }

  const daemon = spawn(process.execPath, [daemonBin, ...args], { stdio: 'inherit' });
  // The terminal's Ctrl-C reaches the daemon too (same process group); a
  // SIGTERM sent to us alone is passed on.
  const forward = (signal: NodeJS.Signals) => daemon.kill(signal);
  process.on('SIGTERM', forward);
  process.on('SIGINT', () => undefined);
  const code = await new Promise<number>((resolve) => daemon.once('exit', (c, s) => resolve(c ?? (s ? 128 : 1))));
  process.off('SIGTERM', forward);

  if (privateContainerd) {
    console.log('wsruntime: stopping the private containerd');
    if (devLink) await rm(devLink, { force: true });
    await privateContainerd.stop();
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof DaemonOptionsError || error instanceof Error ? error.message : String(error);
    console.error(`wsruntime: ${message}`);
    process.exit(error instanceof DaemonOptionsError ? 2 : 1);
  },
);
