// What a private containerd can leave on the host after it is gone: shim
// processes, the tasks they ran, mounts under its directory, and the pod
// cgroups kubelet would have removed. Everything here is keyed to one
// containerd (its socket path, its directory, its pods' uids) so that a system
// containerd or another test's stack is never touched.

import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { delay } from 'abort-controller-x';
import { parseMountInfo } from '../containerd/mountinfo.js';

const execFileAsync = promisify(execFile);
// These waits are bounded by their own loops; nothing needs to cancel them.
const uncancelled = new AbortController().signal;

/**
 * Pids of the runtime v2 shims serving the containerd at `address`. A shim's
 * command line is `containerd-shim-runc-v2 -namespace N -id ID -address SOCK`;
 * matching the `-address` pair exactly keeps other containerds' shims out.
 */
export function findShims(address: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (!argv[0]?.includes('containerd-shim')) continue;
    const at = argv.indexOf('-address');
    if (at >= 0 && argv[at + 1] === address) pids.push(Number(entry));
  }
  return pids;
}

export interface LeftoverTask {
  /** The task's init process. */
  pid: number;
  /** linux.cgroupsPath of its OCI spec (cgroupfs form), or '' if none. */
  cgroupsPath: string;
}

/**
 * The tasks a containerd still has on record: its runtime v2 bundles under
 * `<state>/io.containerd.runtime.v2.task/<ns>/<id>`, with the init pid the
 * shim wrote and the cgroup from the bundle's config.json.
 */
export function leftoverTasks(stateDir: string): LeftoverTask[] {
  const tasks = join(stateDir, 'io.containerd.runtime.v2.task');
  const found: LeftoverTask[] = [];
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  for (const ns of list(tasks)) {
    for (const id of list(join(tasks, ns))) {
      const bundle = join(tasks, ns, id);
      const pid = Number(read(join(bundle, 'init.pid')).trim());
      let cgroupsPath = '';
      try {
        cgroupsPath = (JSON.parse(read(join(bundle, 'config.json'))) as { linux?: { cgroupsPath?: string } }).linux?.cgroupsPath ?? '';
      } catch {
        // no readable spec
      }
      if (pid > 1 || cgroupsPath) found.push({ pid: pid > 1 ? pid : 0, cgroupsPath });
    }
  }
  return found;
}

/** Whether pid is alive; a zombie waiting to be reaped counts as gone. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Sends signal to each pid and waits until all are gone or timeoutMs passes. Returns the survivors. */
export async function killAndWait(pids: readonly number[], signal: NodeJS.Signals, timeoutMs: number): Promise<number[]> {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids];
  while (alive.length > 0) {
    alive = (await Promise.all(alive.map(async (pid) => ((await isAlive(pid)) ? pid : -1)))).filter((pid) => pid > 0);
    if (alive.length === 0 || Date.now() >= deadline) break;
    await delay(uncancelled, 10);
  }
  return alive;
}

/** Mount points at or under dir, deepest first, from this process's mount namespace. */
export function mountsUnder(dir: string): string[] {
  const points = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything under dir (a mount can be stacked, so repeat). */
export async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      await execFileAsync('umount', ['--lazy', point]).catch(() => undefined);
    }
  }
}

/** unmountUnder for process exit handlers, where nothing asynchronous runs. */
export function unmountUnderSync(dir: string): void {
  for (const point of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['--lazy', point], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

/**
 * Removes a cgroupfs-style cgroup (`/a/b/c`) in every v1 hierarchy and the
 * v2 one. It must be empty of processes and child cgroups; processes that
 * were just killed may take a moment to leave, so busy is retried briefly.
 */
export async function removeCgroup(path: string): Promise<void> {
  if (!path.startsWith('/')) return; // systemd slice notation: not ours to clean
  const root = '/sys/fs/cgroup';
  let hierarchies: string[];
  try {
    hierarchies = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return;
  }
  await Promise.all(
    hierarchies.map(async (h) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          await rmdir(join(root, h, path));
          return;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return;
          if (code !== 'EBUSY' && code !== 'ENOTEMPTY') throw e;
          await delay(uncancelled, 25);
        }
      }
    }),
  );
}
