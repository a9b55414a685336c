// Where a task's rootfs is mounted on the node.
//
// containerd reports a task's bundle directory only in its /tasks/create
// event; the rootfs is `<bundle>/rootfs` (never assume /run/containerd: k3s
// and private instances put their state elsewhere). Tasks found by
// Tasks.List come without a bundle, and containerd 1.6's API has no other
// place that tells it (Introspection reports no state directory; the
// runtime plugin exports nothing). For those, the rootfs mount is looked up
// in the daemon's own mount table: on the node directly, or in a pod that
// mounts containerd's state directory with HostToContainer propagation,
// the mount is visible there, and the path mappings turn its path back into
// the node's. For overlay rootfs the mount is recognised by its upperdir,
// not by its path alone.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMountInfo } from './mountinfo.js';

export function rootfsOfBundle(bundle: string): string {
  return path.posix.join(bundle, 'rootfs');
}

export interface RootfsQuery {
  containerId: string;
  /** The snapshot's upperdir when it is an overlay, to recognise its mount by. */
  upperdir?: string;
}

/**
 * The node paths of the rootfs mounts of the given containers, found in
 * `mountinfoPath` (by default the daemon's own mount table); containers
 * whose mount is not found are left out.
 */
export async function findRootfsMounts(
  namespace: string,
  queries: readonly RootfsQuery[],
  toNodePath: (localPath: string) => string,
  mountinfoPath = '/proc/self/mountinfo',
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (queries.length === 0) return found;
  const wanted = new Map(queries.map((q) => [q.containerId, q]));
  for (const mount of parseMountInfo(await readFile(mountinfoPath, 'utf8'))) {
    // The bundle layout of containerd's v2 runtime: <task state>/<namespace>/<id>/rootfs.
    const parts = mount.mountPoint.split('/');
    if (parts.length < 4 || parts.at(-1) !== 'rootfs' || parts.at(-3) !== namespace) continue;
    const query = wanted.get(parts.at(-2)!);
    if (!query) continue;
    if (query.upperdir !== undefined && !mount.superOptions.includes(`upperdir=${query.upperdir}`)) continue;
    found.set(query.containerId, toNodePath(mount.mountPoint));
  }
  return found;
}
