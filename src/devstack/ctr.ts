// Runs containerd's `ctr` against one containerd socket.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CtrOptions {
  /** containerd namespace; default k8s.io, where the CRI plugin keeps pods. */
  namespace?: string;
  signal?: AbortSignal;
}

/** `ctr -a <address> -n <namespace> ...args`, resolving to its stdout. */
export async function ctr(address: string, args: readonly string[], options: CtrOptions = {}): Promise<string> {
  const argv = ['--address', address, '--namespace', options.namespace ?? 'k8s.io', ...args];
  const { stdout } = await execFileAsync('ctr', argv, { signal: options.signal, maxBuffer: 64 << 20 });
  return stdout;
}
