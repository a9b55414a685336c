// CPU time of server processes the bench does not run in-process (the
// wsruntimed child, the bare server child, containerd and its shims), from
// /proc/<pid>/stat, so that each server's cost per call can be told apart
// from the client's.

import { readFileSync } from 'node:fs';

// /proc reports in USER_HZ, which the kernel fixes at 100 for userspace on
// every architecture Node supports (sysconf(_SC_CLK_TCK)).
const microsPerTick = 1_000_000 / 100;

/** User + system CPU time of these processes, in µs; a process that is gone counts 0. */
export function cpuMicros(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command (which may hold spaces): state is
    // field 3, utime and stime fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * microsPerTick;
  }
  return total;
}
