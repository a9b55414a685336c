// wsruntimed as an operator runs it: a child process, judged by its exit
// status, output and the socket file. Serving needs the containerd backend;
// it is pointed at a containerd that does not exist and must stay up anyway.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createChannel, waitForChannelReady } from 'nice-grpc';
import { pino } from 'pino';
import { compileDaemonOptions } from '../../src/server/daemon-options.js';
import { startDaemon } from '../../src/server/daemon.js';
import { createTestClient } from '../support/daemon-harness.js';
import { RuntimeDouble } from '../support/runtime-double.js';

const cli = fileURLToPath(new URL('../../src/cli/wsruntimed.ts', import.meta.url));
const backendMissing = !existsSync(fileURLToPath(new URL('../../src/containerd/containerd-runtime.ts', import.meta.url)))
  && 'waiting for the containerd backend (src/containerd/containerd-runtime.ts)';

interface Daemon {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function spawnDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Daemon {
  // Only our variables: the test's environment must not configure the daemon.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WSRUNTIME_')));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('wsruntimed', { timeout: 60_000 }, () => {
  let dir: string;
  let socket: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wsruntimed-'));
    socket = path.join(dir, 'run', 'wsruntime.sock');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('--help prints every flag with its default and exits 0', async () => {
    const d = spawnDaemon(['--help']);
    assert.equal(await d.exited, 0);
    assert.match(d.stdout(), /^Usage: wsruntimed \[options\]/);
    for (const flag of ['--socket', '--containerd-address', '--containerd-namespace', '--path-mapping', '--instance-label', '--workspace-container', '--socket-mode', '--socket-group', '--log-level', '--metrics-address']) {
      assert.match(d.stdout(), new RegExp(`  ${flag} `));
    }
    assert.match(d.stdout(), /default: \/run\/wsruntime\/wsruntime\.sock/);
    assert.equal(d.stderr(), '');
  });

  it('exits 2 naming the flag, or the variable, on a bad option', async () => {
    const byFlag = spawnDaemon(['--socket-mode', '0999']);
    assert.equal(await byFlag.exited, 2);
    assert.equal(byFlag.stderr(), 'wsruntimed: --socket-mode: "0999" is not an octal mode such as 0660\n');
    const byEnv = spawnDaemon([], { WSRUNTIME_LOG_LEVEL: 'chatty' });
    assert.equal(await byEnv.exited, 2);
    assert.match(byEnv.stderr(), /^wsruntimed: WSRUNTIME_LOG_LEVEL \(--log-level\): "chatty" is not one of/);
    const unknown = spawnDaemon(['--sockt', '/x']);
    assert.equal(await unknown.exited, 2);
    assert.match(unknown.stderr(), /Unknown option '--sockt'/);
  });

  it('serves without containerd, and on SIGTERM stops, removes its socket and exits 0', { skip: backendMissing }, async () => {
    const d = spawnDaemon(['--socket', socket, '--containerd-address', path.join(dir, 'no-containerd.sock'), '--socket-mode', '0600']);
    children.push(d.child);
    await until(() => d.stdout().includes('serving on'), 'the daemon to serve');
    assert.match(d.stdout(), new RegExp(`serving on ${socket.replace(/[.]/g, '\\.')}`));
    assert.equal((await lstat(socket)).mode & 0o777, 0o600);
    const channel = createChannel(`unix://${socket}`);
    try {
      await waitForChannelReady(channel, new Date(Date.now() + 5_000));
    } finally {
      channel.close();
    }
    // Still up a moment later, containerd or not.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(d.child.exitCode, null);

    d.child.kill('SIGTERM');
    assert.equal(await d.exited, 0, d.stderr());
    assert.equal(existsSync(socket), false);
    const logs = d.stderr().trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    assert.ok(logs.some((l) => l.msg === 'wsruntimed stopped'));
  });

  it('a SIGTERM while starting still stops cleanly: exit 0, nothing left in the socket directory', { skip: backendMissing }, async () => {
    // A getent that tells us when it runs and then takes its time holds the
    // daemon inside startDaemon (resolving --socket-group) for a second.
    const bin = path.join(dir, 'bin');
    const marker = path.join(dir, 'getent-started');
    await mkdir(bin);
    await writeFile(path.join(bin, 'getent'), `#!/bin/sh\ntouch '${marker}'\nsleep 1\nexec /usr/bin/getent "$@"\n`, { mode: 0o755 });
    const group = execFileSync('/usr/bin/getent', ['group', String(process.getgid!())], { encoding: 'utf8' }).split(':')[0]!;
    const d = spawnDaemon(['--socket', socket, '--socket-group', group, '--containerd-address', path.join(dir, 'no-containerd.sock')], {
      PATH: `${bin}:${process.env.PATH}`,
    });
    children.push(d.child);
    await until(() => existsSync(marker), 'the daemon to resolve its socket group');
    d.child.kill('SIGTERM');
    assert.equal(await d.exited, 0, `exit ${d.child.signalCode ?? d.child.exitCode}: ${d.stderr()}`);
    assert.deepEqual(await readdir(path.dirname(socket)), []);
  });

  it('exits 1 when another daemon serves the socket, which keeps serving', { skip: backendMissing }, async () => {
    const runtime = new RuntimeDouble().answer('containerPID', 42);
    const other = await startDaemon({ options: compileDaemonOptions({ socket }), runtime, logger: pino({ level: 'silent' }) });
    const channel = createChannel(other.address);
    try {
      const d = spawnDaemon(['--socket', socket, '--containerd-address', path.join(dir, 'no-containerd.sock')]);
      children.push(d.child);
      assert.equal(await d.exited, 1);
      assert.match(d.stderr(), /wsruntimed: cannot serve on .*: another process is serving on it/);
      assert.equal((await createTestClient(channel).containerPID({ containerId: 'c1' })).pid, 42);
      assert.ok(existsSync(socket));
    } finally {
      channel.close();
      await other.stop();
    }
  });
});
