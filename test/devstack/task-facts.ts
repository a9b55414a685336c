// Facts about a stack's containers read straight from containerd (ctr) and
// the host (/proc, /sys/fs/cgroup), so the devstack tests do not trust the
// CRI client they are testing.

import { readFile, stat } from 'node:fs/promises';
import { ctr, type TestStack } from '../support/stack.js';

export interface ContainerRecord {
  ID: string;
  Labels: Record<string, string>;
  Spec: { linux?: { cgroupsPath?: string }; annotations?: Record<string, string> };
}

/** `ctr task ls` as id → {pid, status}. */
export async function tasks(stack: TestStack): Promise<Map<string, { pid: number; status: string }>> {
  const out = await ctr(stack, 'tasks', 'ls');
  const rows = out.trim().split('\n').slice(1).filter(Boolean);
  return new Map(
    rows.map((row) => {
      const [id, pid, status] = row.trim().split(/\s+/);
      return [id!, { pid: Number(pid), status: status! }];
    }),
  );
}

export async function containerIds(stack: TestStack): Promise<string[]> {
  return (await ctr(stack, 'containers', 'ls', '--quiet')).split('\n').filter(Boolean);
}

export async function containerRecord(stack: TestStack, id: string): Promise<ContainerRecord> {
  return JSON.parse(await ctr(stack, 'containers', 'info', id)) as ContainerRecord;
}

/** Pids in a cgroup of the v1 pids hierarchy. */
export async function cgroupPids(cgroupsPath: string): Promise<number[]> {
  const procs = await readFile(`/sys/fs/cgroup/pids${cgroupsPath}/cgroup.procs`, 'utf8');
  return procs.split('\n').filter(Boolean).map(Number);
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function mountPoints(): Promise<string[]> {
  return (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '');
}
