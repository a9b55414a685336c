// Where the daemon's socket goes: parent created, stale socket replaced,
// anything else at the path refused and left alone, mode and group applied
// before the socket is reachable.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createChannel } from 'nice-grpc';
import { pino } from 'pino';
import { compileDaemonOptions, type DaemonOptionsInput } from '../../src/server/daemon-options.js';
import { startDaemon } from '../../src/server/daemon.js';
import { listenOnUnixSocket, SocketPathError } from '../../src/server/socket.js';
import { createTestClient, startTestDaemon } from '../support/daemon-harness.js';
import { RuntimeDouble } from '../support/runtime-double.js';

const silent = pino({ level: 'silent' });

describe('socket placement', { timeout: 20_000 }, () => {
  let dir: string;
  let socketPath: string;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-socket-'));
    socketPath = path.join(dir, 'run', 'wsruntime', 'wsruntime.sock');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts a daemon with a RuntimeDouble answering ContainerPID, and a client; both closed after the test. */
  async function start(options: DaemonOptionsInput = {}) {
    const runtime = new RuntimeDouble().answer('containerPID', 42);
    const daemon = await startDaemon({ options: compileDaemonOptions({ socket: socketPath, ...options }), runtime, logger: silent });
    const channel = createChannel(daemon.address);
    cleanups.push(() => daemon.stop(), () => channel.close());
    return { daemon, client: createTestClient(channel) };
  }

  /** A socket file nobody listens on, as a crashed daemon leaves it. */
  async function staleSocket(at: string): Promise<void> {
    const server = net.createServer();
    const bound = path.join(dir, 'stale-origin.sock');
    await new Promise<void>((resolve) => server.listen(bound, resolve));
    await link(bound, at);
    // Closing unlinks `bound`; `at` stays behind, with nobody accepting.
    await new Promise((resolve) => server.close(resolve));
  }

  it('creates the parent directory and serves there with the default mode 0660', async () => {
    const { daemon, client } = await start();
    assert.equal(daemon.socketPath, socketPath);
    const stats = await lstat(socketPath);
    assert.ok(stats.isSocket());
    assert.equal(stats.mode & 0o777, 0o660);
    assert.equal((await client.containerPID({ containerId: 'c1' })).pid, 42);
    // No private binding directory is left behind.
    assert.deepEqual(await readdir(path.dirname(socketPath)), ['wsruntime.sock']);
  });

  it('applies --socket-mode', async () => {
    await start({ socketMode: '0600' });
    assert.equal((await lstat(socketPath)).mode & 0o777, 0o600);
  });

  it('applies --socket-group by gid and by name', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
    const byGid = await start({ socketGroup: 4242 });
    assert.equal((await lstat(socketPath)).gid, 4242);
    await byGid.daemon.stop();

    const other = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find(([, , gid]) => gid !== undefined && Number(gid) !== process.getgid!());
    assert.ok(other, 'a group other than ours in /etc/group');
    await start({ socketGroup: other[0] });
    assert.equal((await lstat(socketPath)).gid, Number(other[2]));
  });

  it('refuses an unknown group and leaves nothing behind', async () => {
    await assert.rejects(start({ socketGroup: 'no-such-group-wsr' }), /group "no-such-group-wsr" does not exist/);
    assert.deepEqual(await readdir(path.dirname(socketPath)), []);
  });

  it('is only reachable under its name once mode and group are set', async () => {
    await mkdir(path.dirname(socketPath), { recursive: true });
    const server = net.createServer();
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const seen: { privateDirMode?: number; targetExists?: boolean } = {};
    const socket = await listenOnUnixSocket({ path: socketPath, mode: 0o640 }, async (address) => {
      const bindPath = address.replace(/^unix:\/\//, '');
      assert.notEqual(bindPath, socketPath);
      assert.equal(path.dirname(path.dirname(bindPath)), path.dirname(socketPath), 'bound beside the target');
      seen.privateDirMode = (await stat(path.dirname(bindPath))).mode & 0o777;
      seen.targetExists = existsSync(socketPath);
      await new Promise<void>((resolve) => server.listen(bindPath, resolve));
    });
    assert.deepEqual(seen, { privateDirMode: 0o700, targetExists: false });
    assert.equal((await lstat(socketPath)).mode & 0o777, 0o640);
    assert.equal(socket.address, `unix://${socketPath}`);
    await socket.remove();
    assert.equal(existsSync(socketPath), false);
  });

  it('replaces a stale socket', async () => {
    await mkdir(path.dirname(socketPath), { recursive: true });
    await staleSocket(socketPath);
    const staleIno = (await lstat(socketPath)).ino;
    const { client } = await start();
    assert.notEqual((await lstat(socketPath)).ino, staleIno);
    assert.equal((await client.containerPID({ containerId: 'c1' })).pid, 42);
  });

  it('refuses a live socket served by another daemon, which keeps serving', async () => {
    const first = await start();
    const ino = (await lstat(socketPath)).ino;
    await assert.rejects(start(), (e) => e instanceof SocketPathError && /another process is serving on it/.test(e.message));
    assert.equal((await lstat(socketPath)).ino, ino);
    assert.equal((await first.client.containerPID({ containerId: 'c1' })).pid, 42);
    assert.deepEqual(await readdir(path.dirname(socketPath)), ['wsruntime.sock']);
  });

  it('refuses a live socket of any other server', async () => {
    await mkdir(path.dirname(socketPath), { recursive: true });
    const other = net.createServer((c) => c.end());
    await new Promise<void>((resolve) => other.listen(socketPath, resolve));
    cleanups.push(() => new Promise((resolve) => other.close(resolve)));
    await assert.rejects(start(), /another process is serving on it/);
    assert.ok((await lstat(socketPath)).isSocket());
  });

  it('refuses a regular file at the path and leaves it untouched', async () => {
    await mkdir(path.dirname(socketPath), { recursive: true });
    await writeFile(socketPath, 'precious');
    const before = await lstat(socketPath);
    await assert.rejects(start(), (e) => e instanceof SocketPathError && /is a regular file, not a socket/.test(e.message));
    const after = await lstat(socketPath);
    assert.equal(await readFile(socketPath, 'utf8'), 'precious');
    assert.deepEqual([after.ino, after.mtimeMs, after.mode], [before.ino, before.mtimeMs, before.mode]);
    assert.deepEqual(await readdir(path.dirname(socketPath)), ['wsruntime.sock']);
  });

  it('refuses a directory or a symlink at the path', async () => {
    await mkdir(socketPath, { recursive: true });
    await assert.rejects(start(), /is a directory, not a socket/);
    await rm(socketPath, { recursive: true });
    await staleSocket(path.join(dir, 'elsewhere.sock'));
    await symlink(path.join(dir, 'elsewhere.sock'), socketPath);
    await assert.rejects(start(), /is a symbolic link, not a socket/);
    assert.ok((await lstat(socketPath)).isSymbolicLink());
  });

  it('on stop removes only its own socket, not one that replaced it', async () => {
    const { daemon } = await start();
    await unlink(socketPath);
    await staleSocket(socketPath);
    const replacement = (await lstat(socketPath)).ino;
    await daemon.stop();
    assert.equal((await lstat(socketPath)).ino, replacement);
  });

  it('rejects a start on a path too long for a unix socket, in the options', async () => {
    assert.throws(() => compileDaemonOptions({ socket: `/tmp/${'x'.repeat(110)}` }), /--socket: .* is 115 bytes long; a unix socket path may have at most 107/);
  });

  it('refuses a directory too deep to bind a private socket in, creating nothing', async () => {
    const deep = path.join(dir, 'd'.repeat(100 - dir.length));
    await assert.rejects(
      listenOnUnixSocket({ path: path.join(deep, 's'), mode: 0o600 }, () => assert.fail('must not bind')),
      (e) => e instanceof SocketPathError && /directory path is too long/.test(e.message),
    );
    assert.equal(existsSync(deep), false);
  });

  it('stops cleanly when started through the harness, removing the socket', async () => {
    const h = await startTestDaemon();
    const at = h.daemon.socketPath;
    assert.ok(existsSync(at));
    await h.close();
    assert.equal(existsSync(at), false);
  });
});
