// A server the bench runs in a process of its own (wsruntimed, the bare
// server): output kept for error messages, ready when a line on stdout says
// so, ended by its pid: SIGTERM, SIGKILL if that hangs, and SIGKILL from an
// exit hook if the bench dies first.

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { abortable } from 'abort-controller-x';

export interface ChildOptions {
  args: string[];
  /** Resolve start once stdout contains this. */
  readyWhen: string;
  signal: AbortSignal;
  /** Default 20 s. */
  startTimeoutMs?: number;
  /** An IPC channel as the fourth stdio, for process.send. */
  ipc?: boolean;
}

const stopTimeoutMs = 5_000;

export class ServerChild {
  readonly process: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #killOnExit = () => this.process.kill('SIGKILL');
  #output = '';
  #stopping: Promise<void> | undefined;

  /** Spawns `node ...args`; the environment minus WSRUNTIME_*, so the bench's cannot configure it. */
  static async start(options: ChildOptions): Promise<ServerChild> {
    const child = new ServerChild(options);
    try {
      await child.#untilReady(options);
    } catch (error) {
      await child.stop();
      throw error;
    }
    return child;
  }

  private constructor(options: ChildOptions) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WSRUNTIME_')));
    const stdio: StdioOptions = options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
    this.process = spawn(process.execPath, options.args, { env, stdio });
    this.process.stdout!.setEncoding('utf8').on('data', (d: string) => (this.#output += d));
    this.process.stderr!.setEncoding('utf8').on('data', (d: string) => (this.#output += d));
    this.#exited = new Promise((resolve) => {
      this.process.once('exit', () => resolve());
      this.process.once('error', () => resolve());
    });
    process.once('exit', this.#killOnExit);
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** What it printed so far, for error messages. */
  get output(): string {
    return this.#output;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #untilReady({ readyWhen, signal, startTimeoutMs = 20_000 }: ChildOptions): Promise<void> {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(startTimeoutMs)]);
    const ready = new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (!this.#output.includes(readyWhen)) return;
        this.process.stdout!.off('data', onData);
        resolve();
      };
      this.process.stdout!.on('data', onData);
      void this.#exited.then(() => reject(new Error(`${this.process.spawnfile} exited while starting (${this.process.exitCode ?? this.process.signalCode}):\n${this.#output}`)));
    });
    try {
      await abortable(deadline, ready);
    } catch (error) {
      if (signal.aborted) throw error;
      if (deadline.aborted) throw new Error(`not ready within ${startTimeoutMs} ms:\n${this.#output}`);
      throw error;
    }
  }

  async #stop(): Promise<void> {
    if (this.running) {
      this.process.kill('SIGTERM');
      const hung = setTimeout(() => this.process.kill('SIGKILL'), stopTimeoutMs);
      await this.#exited;
      clearTimeout(hung);
    }
    process.off('exit', this.#killOnExit);
  }
}
