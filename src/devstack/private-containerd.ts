// A private containerd for tests, `npm start` and demos: its own root, state
// and socket under a short temp dir, its own process group, its log in the
// dir. It never touches a system containerd, and ends only processes it
// started: its containerd (by pid) and that containerd's shims (recognised
// by `-address <our socket>` on their command line).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { abortable, delay, isAbortError, race } from 'abort-controller-x';
import { ClientError, Status } from 'nice-grpc';
import { withCri } from './cri-client.js';
import { ctr } from './ctr.js';
import { findShims, killAndWait, leftoverTasks, removeCgroup, unmountUnder, unmountUnderSync } from './host-cleanup.js';
import { Kubelet } from './kubelet.js';

export interface PrivateContainerdOptions {
  /**
   * Where the temp dir goes; default /tmp. Keep it short: unix socket paths
   * (ours and the `.ttrpc` one next to it) must stay under 108 bytes.
   */
  parentDir?: string;
  /** How long containerd may take to answer CRI Version; default 15 s. */
  startTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface StopOptions {
  /** Leave the dir (with containerd.log) in place for a post-mortem. */
  keepDir?: boolean;
}

export const sandboxImage = 'example.local/pause:latest';

function configToml(c: { root: string; state: string; address: string; dir: string }): string {
  const q = (s: string) => JSON.stringify(s);
  return `version = 2
root = ${q(c.root)}
state = ${q(c.state)}
# Snapshotters this node cannot use; disabling keeps the log to the point.
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = ${q(c.address)}

[debug]
  level = "info"

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(c.root, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  # Root here lacks CAP_SYS_RESOURCE: without clamping, runc fails to apply
  # the sandbox's negative oom_score_adj.
  restrict_oom_score_adj = true
  sandbox_image = ${q(sandboxImage)}
  disable_tcp_service = true

  # The CRI plugin creates and watches its CNI dirs; keep them off the host.
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = ${q(join(c.dir, 'cni', 'net.d'))}
    bin_dir = ${q(join(c.dir, 'cni', 'bin'))}
`;
}

// Instances not yet stopped, so a process that forgets stop() does not leave
// containerd, shims and tasks running (see emergencyStopSync).
const live = new Set<PrivateContainerd>();
let exitHookInstalled = false;

export class PrivateContainerd {
  readonly root: string;
  readonly state: string;
  /** containerd's gRPC socket path (no `unix:` prefix). */
  readonly address: string;
  readonly configPath: string;
  readonly logPath: string;

  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly startTimeoutMs: number,
  ) {
    this.root = join(dir, 'root');
    this.state = join(dir, 'state');
    this.address = join(dir, 'containerd.sock');
    this.configPath = join(dir, 'containerd.toml');
    this.logPath = join(dir, 'containerd.log');
  }

  /** Creates the dir and config, starts containerd and waits until its CRI service answers. */
  static async start(options: PrivateContainerdOptions = {}): Promise<PrivateContainerd> {
    const dir = await mkdtemp(join(options.parentDir ?? '/tmp', 'wsrt-'));
    const c = new PrivateContainerd(dir, options.startTimeoutMs ?? 15_000);
    if (Buffer.byteLength(c.address + '.ttrpc') >= 108) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`socket path ${c.address} is too long for a unix socket; use a shorter parentDir`);
    }
    await mkdir(c.root);
    await mkdir(c.state);
    await writeFile(c.configPath, configToml(c));
    live.add(c);
    installExitHook();
    try {
      await c.#launch(options.signal);
    } catch (e) {
      await c.stop({ keepDir: false }).catch(() => undefined);
      throw e;
    }
    return c;
  }

  /** containerd's pid; that of the last process started, once it has exited. */
  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Signals containerd (default SIGKILL, the chaos case) and waits until it
   * has exited. Its shims and their tasks live on.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, signal);
    await this.#exit();
  }

  /**
   * Starts containerd again on the same root, state and socket (SIGKILLing
   * it first if it still runs) and waits until it answers. containerd finds
   * the tasks its shims kept alive.
   */
  async restart(signal?: AbortSignal): Promise<void> {
    if (this.#stopping) throw new Error('private containerd was stopped');
    await this.kill('SIGKILL');
    await this.#launch(signal);
  }

  /**
   * Removes every pod through CRI, stops containerd (SIGTERM, then SIGKILL),
   * kills shims of ours that outlived it (and, if pod removal failed, the
   * tasks they ran), unmounts what is left under the dir and removes it.
   * Safe to call more than once; later calls wait for the first.
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options);
    return this.#stopping;
  }

  /** The last lines of containerd's log, for error messages. */
  async logTail(lines = 40): Promise<string> {
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  async #launch(signal?: AbortSignal): Promise<void> {
    // A stale socket would be connected to (and refused) before the new
    // containerd replaces it.
    await rm(this.address, { force: true });
    await rm(this.address + '.ttrpc', { force: true });
    const log = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      // detached: its own process group, so a Ctrl-C on the terminal does not
      // reach it before we have had a chance to clean up.
      child = spawn('containerd', ['--config', this.configPath], { detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    this.#child = child;
    // Unref'd: a process that forgets stop() still exits; the exit hook then
    // kills what this containerd started.
    child.unref();
    this.#exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => undefined);

    const timeout = AbortSignal.timeout(this.startTimeoutMs);
    const deadline = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      await race(deadline, (inner) => [
        this.#answersVersion(inner),
        abortable(inner, spawnError),
        abortable(inner, this.#exited).then(() => {
          throw new Error(`containerd exited (${child.exitCode ?? child.signalCode}) while starting`);
        }),
      ]);
    } catch (e) {
      const why = timeout.aborted ? new Error(`containerd did not answer within ${this.startTimeoutMs} ms`) : e;
      await this.kill('SIGKILL');
      if (signal?.aborted) throw e;
      throw new Error(`${(why as Error).message}; ${this.logPath}:\n${await this.logTail()}`, { cause: why });
    }
  }

  /** Waits for containerd's exit, keeping node alive meanwhile (the child is unref'd). */
  async #exit(): Promise<void> {
    this.#child?.ref();
    try {
      await this.#exited;
    } finally {
      this.#child?.unref();
    }
  }

  async #answersVersion(signal: AbortSignal): Promise<void> {
    // Until the socket exists a channel would only fail and back off.
    while (!(await stat(this.address).then(() => true, () => false))) await delay(signal, 5);
    await withCri(this.address, async (cri) => {
      for (;;) {
        try {
          await cri.runtime.version({ version: 'v1' }, { signal });
          return;
        } catch (e) {
          if (isAbortError(e)) throw e;
          // The CRI plugin answers "not initialized" for a moment; a missing
          // service will never answer.
          if (e instanceof ClientError && e.code === Status.UNIMPLEMENTED) {
            throw new Error(`containerd at ${this.address} serves no CRI runtime.v1 API: ${e.details}`);
          }
        }
        await delay(signal, 10);
      }
    });
  }

  async #stop(options: StopOptions): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (e) {
        errors.push(new Error(`${what}: ${(e as Error).message}`, { cause: e }));
      }
    };
    // Pods are removed through containerd, so it must be up for that.
    if (!this.running && findShims(this.address).length > 0) {
      await attempt('restart for cleanup', () => this.#launch());
    }
    if (this.running) {
      const signal = AbortSignal.timeout(60_000);
      await attempt('remove pods', () => new Kubelet(this.address, join(this.dir, 'pods')).removeAllPods(signal));
      await attempt('remove leftover tasks', () => this.#removeLeftoverTasks(signal));
      await this.#terminate();
    }
    const shims = findShims(this.address);
    if (shims.length > 0) {
      // Usually none are left by now. Those that are (pod removal failed, or
      // containerd could not come back) run only what our containerd
      // started: kill it all, and remove the cgroups runc would have.
      const tasks = leftoverTasks(this.state);
      await killAndWait(shims, 'SIGKILL', 5_000);
      await killAndWait(tasks.map((t) => t.pid).filter((pid) => pid > 0), 'SIGKILL', 5_000);
      await attempt('remove task cgroups', () => removeTaskCgroups(tasks.map((t) => t.cgroupsPath)));
    }
    await attempt('unmount', () => unmountUnder(this.dir));
    if (!options.keepDir) await attempt('remove dir', () => rm(this.dir, { recursive: true, force: true }));
    live.delete(this);
    if (errors.length > 0) throw new AggregateError(errors, `private containerd ${this.dir}: cleanup was incomplete`);
  }

  /** SIGTERM, and SIGKILL if containerd has not exited within 5 s. */
  async #terminate(): Promise<void> {
    if (!this.running) return;
    process.kill(this.pid, 'SIGTERM');
    const exited = await race(AbortSignal.timeout(60_000), (inner) => [
      abortable(inner, this.#exit()).then(() => true),
      delay(inner, 5_000).then(() => false),
    ]);
    if (!exited) await this.kill('SIGKILL');
  }

  /** Tasks outside CRI pods (e.g. made with ctr in any namespace): kill and delete. */
  async #removeLeftoverTasks(signal: AbortSignal): Promise<void> {
    const namespaces = (await ctr(this.address, ['namespaces', 'ls', '--quiet'], { signal })).split('\n').filter(Boolean);
    for (const namespace of namespaces) {
      const ids = (await ctr(this.address, ['tasks', 'ls', '--quiet'], { namespace, signal })).split('\n').filter(Boolean);
      if (ids.length > 0) await ctr(this.address, ['tasks', 'rm', '--force', ...ids], { namespace, signal });
    }
  }

  /**
   * Synchronous last resort for a process exiting without stop(): kills
   * containerd, our shims and their tasks, unmounts and removes the dir.
   * Empty pod cgroups are left behind: the killed tasks are still dying.
   */
  emergencyStopSync(): void {
    const kill = (pid: number) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    };
    if (this.running) kill(this.pid);
    const tasks = leftoverTasks(this.state);
    findShims(this.address).forEach(kill);
    tasks.forEach((t) => t.pid > 0 && kill(t.pid));
    unmountUnderSync(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
  }
}

/** Container cgroups first, then their kubelet-style pod parents (`.../pod<uid>`). */
async function removeTaskCgroups(paths: readonly string[]): Promise<void> {
  for (const path of paths) await removeCgroup(path);
  const pods = new Set(paths.map((p) => dirname(p)).filter((p) => basename(p).startsWith('pod')));
  for (const pod of pods) await removeCgroup(pod);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of live) {
      process.stderr.write(`wsruntime devstack: private containerd ${c.dir} was not stopped; killing its processes\n`);
      c.emergencyStopSync();
    }
  });
}
