// Puts the daemon's unix socket in place without ever exposing it with the
// wrong mode, and without touching anything that is not a stale socket.
//
// Why bind elsewhere first: chmod after listen leaves a window in which any
// local user can connect with the umask's mode, and changing the umask is
// process-wide. So we bind inside a fresh private directory (mkdtemp: 0700,
// ours) next to the target, where no other user can reach the socket, apply
// mode and group there, and only then link(2) it to its public name. link,
// unlike rename, fails if something appeared at the name in the meantime, so
// a racing daemon's socket is never clobbered. Same directory, same
// filesystem, so the link cannot fail with EXDEV.

import { lstat, chmod, chown, link, mkdir, mkdtemp, rmdir, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { maxSocketPathBytes } from './daemon-options.js';
import { resolveGroupId } from './group-id.js';

export interface UnixSocketOptions {
  path: string;
  /** Permission bits, e.g. 0o660. */
  mode: number;
  /** gid or group name; undefined keeps the daemon's group. */
  group?: number | string;
}

/** A socket put in place by listenOnUnixSocket. */
export interface UnixSocket {
  readonly path: string;
  /**
   * `unix://<absolute path>` (so `unix:///run/...`): the form nice-grpc's
   * createChannel passes through to grpc-js untouched; with a bare `unix:` it
   * would append a default port to the path.
   */
  readonly address: string;
  /** Unlinks the socket file if it is still the one we bound. */
  remove(): Promise<void>;
}

/** The daemon cannot serve at the socket path. Whatever is there was left untouched. */
export class SocketPathError extends Error {
  constructor(readonly socketPath: string, reason: string) {
    super(`cannot serve on ${socketPath}: ${reason}`);
    this.name = 'SocketPathError';
  }
}

/**
 * Binds via `bind(address)` (e.g. a nice-grpc server's listen) and puts the
 * socket at `options.path`. A stale socket there is replaced; a live one, or
 * anything that is not a socket, makes this reject with SocketPathError.
 * On failure the caller must still shut down whatever `bind` started.
 */
export async function listenOnUnixSocket(
  options: UnixSocketOptions,
  bind: (address: string) => Promise<unknown>,
): Promise<UnixSocket> {
  const target = options.path;
  const dir = path.dirname(target);
  // The private path below is 13 bytes longer than `dir`.
  if (Buffer.byteLength(dir) + 13 > maxSocketPathBytes) {
    throw new SocketPathError(target, `its directory path is too long to bind in (at most ${maxSocketPathBytes - 13} bytes)`);
  }
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const stale = await inspectExisting(target);
  const gid = options.group === undefined ? undefined : await resolveGroupId(options.group);

  const privateDir = await mkdtemp(path.join(dir, '.wsr-'));
  const privatePath = path.join(privateDir, 's');
  let ours: Stats;
  try {
    await bind(unixAddress(privatePath));
    await chmod(privatePath, options.mode);
    if (gid !== undefined) await chown(privatePath, -1, gid);
    ours = await lstat(privatePath);
    if (stale) await removeStale(target, stale);
    try {
      await link(privatePath, target);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') throw new SocketPathError(target, 'another process created it while we were starting');
      throw error;
    }
  } finally {
    await unlink(privatePath).catch(() => {});
    await rmdir(privateDir).catch(() => {});
  }

  return {
    path: target,
    address: unixAddress(target),
    async remove() {
      const now = await lstat(target).catch(() => undefined);
      if (now && sameFile(now, ours)) await unlink(target).catch(ignoreMissing);
    },
  };
}

/** Returns the stale socket at `target` to replace, undefined if nothing is there; throws if it must not be touched. */
async function inspectExisting(target: string): Promise<Stats | undefined> {
  let stats: Stats;
  try {
    stats = await lstat(target);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  if (!stats.isSocket()) throw new SocketPathError(target, `it exists and is ${describe(stats)}, not a socket; remove it or choose another --socket`);
  const state = await probe(target);
  if (state === 'live') throw new SocketPathError(target, 'another process is serving on it (is another wsruntimed running?)');
  return stats;
}

/**
 * Whether a process accepts connections on the socket. A unix-socket connect
 * completes or fails at once (ECONNREFUSED when nobody listens; EAGAIN when
 * the listener's backlog is full, which still means it is alive).
 */
function probe(socketPath: string): Promise<'live' | 'stale'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve('live');
    });
    socket.once('error', (error) => {
      socket.destroy();
      const code = errorCode(error);
      if (code === 'ECONNREFUSED' || code === 'ENOENT') resolve('stale');
      else if (code === 'EAGAIN') resolve('live');
      else reject(new SocketPathError(socketPath, `probing the existing socket failed: ${error.message}`));
    });
  });
}

async function removeStale(target: string, stale: Stats): Promise<void> {
  const now = await lstat(target).catch(() => undefined);
  if (now === undefined) return;
  if (!sameFile(now, stale)) throw new SocketPathError(target, 'it was replaced by another process while we were starting');
  await unlink(target).catch(ignoreMissing);
}

export function unixAddress(absolutePath: string): string {
  return `unix://${absolutePath}`;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function describe(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isFile()) return 'a regular file';
  return 'a device';
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function ignoreMissing(error: unknown): void {
  if (errorCode(error) !== 'ENOENT') throw error;
}
