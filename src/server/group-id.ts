// Resolves a group name to its gid. Node has no getgrnam, so ask getent (which
// sees NSS sources such as LDAP too) and fall back to /etc/group where getent
// is missing.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

export class UnknownGroupError extends Error {
  constructor(readonly group: string) {
    super(`group ${JSON.stringify(group)} does not exist`);
    this.name = 'UnknownGroupError';
  }
}

export async function resolveGroupId(group: number | string): Promise<number> {
  if (typeof group === 'number') return group;
  let entry: string | undefined;
  try {
    const { stdout } = await promisify(execFile)('getent', ['group', group]);
    entry = stdout.split('\n')[0];
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') {
      const lines = (await readFile('/etc/group', 'utf8')).split('\n');
      entry = lines.find((line) => line.split(':')[0] === group);
    } else if (code !== 2) {
      // getent exits 2 for "no such key"; anything else is a real failure.
      throw error;
    }
  }
  const gid = entry === undefined ? NaN : Number(entry.split(':')[2]);
  if (!Number.isInteger(gid)) throw new UnknownGroupError(group);
  return gid;
}
