// wsruntimed as a DaemonSet runs it: its own process, compiled JavaScript,
// log level warn; the real CLI entry, so every middleware and service it
// wires up is there. The memory probe preloaded into it answers samples over
// IPC.

import { delay, isAbortError } from 'abort-controller-x';
import { ContainerNotFoundError, createRuntimeClient, isDeadlineExceeded, RuntimeUnavailableError } from '../../src/client/index.js';
import { ServerChild } from '../server-child.js';

export interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Peak RSS of the process so far (getrusage maxrss). */
  maxRssBytes: number;
}

export interface WsruntimedChild {
  readonly pid: number;
  readonly socket: string;
  sample(): Promise<MemorySample>;
  stop(): Promise<void>;
}

export interface WsruntimedChildOptions {
  entry: string;
  socket: string;
  containerdAddress: string;
  signal: AbortSignal;
}

const probe = new URL('./memory-probe.mjs', import.meta.url).href;
const syncTimeoutMs = 20_000;

/** Resolves once the child serves and its index is in sync with containerd. */
export async function startWsruntimedChild(options: WsruntimedChildOptions): Promise<WsruntimedChild> {
  const child = await ServerChild.start({
    args: ['--expose-gc', '--import', probe, options.entry, '--socket', options.socket, '--containerd-address', options.containerdAddress, '--log-level', 'warn'],
    readyWhen: 'wsruntimed: serving on',
    ipc: true,
    signal: options.signal,
  });
  try {
    await untilInSync(child, options.socket, options.signal);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    pid: child.pid,
    socket: options.socket,
    sample: () => sample(child),
    stop: () => child.stop(),
  };
}

/** An unknown container is NOT_FOUND once the index is in sync, UNAVAILABLE before. */
async function untilInSync(child: ServerChild, socket: string, signal: AbortSignal): Promise<void> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(syncTimeoutMs)]);
  const client = createRuntimeClient({ socket });
  try {
    for (;;) {
      if (!child.running) throw new Error(`wsruntimed exited:\n${child.output}`);
      try {
        await client.containerPID('wsruntime-bench-readiness', { signal: deadline, deadline: 2_000 });
        throw new Error('wsruntimed answered for a container that does not exist');
      } catch (error) {
        if (error instanceof ContainerNotFoundError) return;
        if (isAbortError(error) && !signal.aborted) throw new Error(`wsruntimed was not in sync with containerd within ${syncTimeoutMs} ms:\n${child.output}`);
        if (!(error instanceof RuntimeUnavailableError) && !isDeadlineExceeded(error)) throw error;
      }
      await delay(deadline, 50);
    }
  } finally {
    client.close();
  }
}

function sample(child: ServerChild): Promise<MemorySample> {
  const ipc = child.process;
  return new Promise<MemorySample>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type !== 'wsruntime-bench:sample') return;
      done();
      const { type: _type, ...memory } = message as MemorySample & { type: string };
      resolve(memory);
    };
    const onExit = () => {
      done();
      reject(new Error(`wsruntimed exited:\n${child.output}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('wsruntimed did not answer the memory probe within 5 s'));
    }, 5_000);
    const done = () => {
      clearTimeout(timer);
      ipc.off('message', onMessage);
      ipc.off('exit', onExit);
    };
    ipc.on('message', onMessage);
    ipc.once('exit', onExit);
    ipc.send('wsruntime-bench:sample');
  });
}
