// One full listing of what the index needs from containerd: the workspace
// sandboxes and containers (filtered server-side), and for the workspace
// containers with a task, the task's pid, rootfs mounts and rootfs mount
// point. The pump hands the result to WorkspaceIndex.replaceAll.

import type { Container } from '../../gen/containerd/services/containers/v1/containers.js';
import type { Mount } from '../../gen/containerd/types/mount.js';
import { workspaceListFilters, type WorkspaceContainerRecord, type WorkspaceRecord, type WorkspaceSelector } from './container-record.js';
import { ClientError } from 'nice-grpc';
import { isConnectionLost, isNotFound, type ContainerdClient } from './containerd-client.js';
import { findRootfsMounts, type RootfsQuery } from './rootfs.js';
import { upperdirOf } from './upperdir.js';
import type { TaskReport, TaskState } from './workspace-index.js';

export interface ListingOptions {
  namespace: string;
  selector: WorkspaceSelector;
  /** A container's record as the index wants it (or undefined to skip it). */
  classify(container: Container): WorkspaceRecord | undefined;
  /** What the index already knows of a container's task. */
  knownTask(containerId: string): TaskState | undefined;
  /** Turns mount points the daemon sees back into node paths. */
  toNodePath(localPath: string): string;
  /** Told when the mount table cannot be read (rootfs then stays unknown). */
  onMountTableError(error: unknown): void;
  /**
   * Told when containerd refuses one container's snapshot mounts for a reason
   * of that container's own (e.g. its snapshotter is not loaded): its upperdir
   * then stays unknown, and the rest of the listing goes on.
   */
  onSnapshotError(containerId: string, error: unknown): void;
}

export interface Listing {
  records: WorkspaceRecord[];
  tasks: Map<string, TaskReport>;
  containersListed: number;
  tasksListed: number;
}

export async function listWorkspaces(client: ContainerdClient, options: ListingOptions, signal: AbortSignal): Promise<Listing> {
  const [{ containers }, { tasks }] = await Promise.all([
    client.containers.list({ filters: workspaceListFilters(options.selector) }, { signal }),
    client.tasks.list({}, { signal }),
  ]);
  const records: WorkspaceRecord[] = [];
  for (const container of containers) {
    const record = options.classify(container);
    if (record) records.push(record);
  }
  // containerd 1.6 lists tasks with the container id in `id` and `container_id` empty.
  const pids = new Map(tasks.map((t) => [t.containerId || t.id, t.pid]));
  return { records, tasks: await taskReports(client, options, records, pids, signal), containersListed: containers.length, tasksListed: tasks.length };
}

/**
 * A task the index already knows under the same pid keeps what the index has
 * (its bundle came from /tasks/create); the others get their mounts from the
 * snapshotter and their rootfs from the mount table.
 */
async function taskReports(
  client: ContainerdClient,
  options: ListingOptions,
  records: readonly WorkspaceRecord[],
  pids: ReadonlyMap<string, number>,
  signal: AbortSignal,
): Promise<Map<string, TaskReport>> {
  const reports = new Map<string, TaskReport>();
  const unknown: { record: WorkspaceContainerRecord; pid: number }[] = [];
  for (const record of records) {
    const pid = pids.get(record.id);
    if (record.kind !== 'container' || pid === undefined) continue;
    const known = options.knownTask(record.id);
    if (known?.pid === pid && known.rootfs !== undefined) reports.set(record.id, { pid });
    else unknown.push({ record, pid });
  }
  if (unknown.length === 0) return reports;

  const mounts = await Promise.all(unknown.map(({ record }) => snapshotMounts(client, options, record, signal)));
  const queries: RootfsQuery[] = unknown.map(({ record }, i) => ({ containerId: record.id, upperdir: upperdirOf(mounts[i] ?? []) }));
  let rootfs = new Map<string, string>();
  try {
    rootfs = await findRootfsMounts(options.namespace, queries, options.toNodePath);
  } catch (error) {
    options.onMountTableError(error);
  }
  unknown.forEach(({ record, pid }, i) => reports.set(record.id, { pid, mounts: mounts[i], rootfs: rootfs.get(record.id) }));
  return reports;
}

async function snapshotMounts(
  client: ContainerdClient,
  options: ListingOptions,
  record: WorkspaceContainerRecord,
  signal: AbortSignal,
): Promise<Mount[] | undefined> {
  if (record.snapshotter === '' || record.snapshotKey === '') return undefined;
  try {
    return (await client.snapshots.mounts({ snapshotter: record.snapshotter, key: record.snapshotKey }, { signal })).mounts;
  } catch (error) {
    // The snapshot went away with its container between List and here.
    if (isNotFound(error)) return undefined;
    // A lost connection ends the whole listing; anything else is about this
    // one container and must not keep every other workspace unanswered.
    if (signal.aborted || isConnectionLost(error) || !(error instanceof ClientError)) throw error;
    options.onSnapshotError(record.id, error);
    return undefined;
  }
}
