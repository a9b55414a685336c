// The live index of workspace containers, fed by the event pump.
//
// A workspace is a pod sandbox whose labels carry an instance id; its
// workspace container is joined to it by the sandbox id in the container's
// spec (or, without one, by pod namespace/name/uid), whichever of the two
// arrives first. An instance can briefly have several pods (re-created under
// the same instance id) and several containers (a restarted container): the
// current container is the newest one in the newest pod, and it is what
// answers by instance id are about. A re-created pod whose workspace
// container does not exist yet has no current container, even while the old
// pod's container still runs.
//
// Waits are settled from here, on the change that satisfies them, and only
// while the index is in sync with containerd: a stale index (containerd
// away) neither resolves a wait nor calls an instance gone.

import type { Logger } from 'pino';
import type { Mount } from '../../gen/containerd/types/mount.js';
import type { PodRef, SandboxRecord, WorkspaceContainerRecord, WorkspaceRecord } from './container-record.js';
import { KeyedWaiters } from './keyed-waiters.js';

export interface TaskState {
  pid: number;
  /** The rootfs mount point on the node, when known. */
  rootfs?: string;
}

/** What the index knows about a task when told about it. */
export interface TaskReport extends TaskState {
  /** The mounts the rootfs is made of. */
  mounts?: Mount[];
}

export interface WorkspaceContainer {
  readonly record: WorkspaceContainerRecord;
  /** Set while the container is joined to a workspace sandbox. */
  readonly instanceId?: string;
  readonly task?: TaskState;
  /** Kept after the task is deleted: the snapshot (and its upperdir) lives as long as the container. */
  readonly mounts?: readonly Mount[];
}

interface Entry extends WorkspaceContainer {
  record: WorkspaceContainerRecord;
  instanceId?: string;
  /** The sandbox it is joined to, set with instanceId. */
  sandboxId?: string;
  task?: TaskState;
  mounts?: Mount[];
  /** Arrival order, to break createdAt ties. */
  seq: number;
}

interface SandboxEntry {
  record: SandboxRecord;
  seq: number;
}

const podKey = (pod: PodRef) => `pod:${pod.namespace}/${pod.name}/${pod.uid}`;
const joinKey = (record: WorkspaceContainerRecord) => (record.sandboxId ? `id:${record.sandboxId}` : podKey(record.pod));

interface Ordered {
  record: { createdAt: number };
  seq: number;
}

function newer(a: Ordered, b: Ordered): boolean {
  return a.record.createdAt !== b.record.createdAt ? a.record.createdAt > b.record.createdAt : a.seq > b.seq;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

/** Whether value was in the set; an emptied set is dropped. */
function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): boolean {
  const set = map.get(key);
  if (!set?.delete(value)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}

export class WorkspaceIndex {
  readonly #log: Logger;
  readonly #sandboxes = new Map<string, SandboxEntry>();
  readonly #sandboxByPod = new Map<string, string>();
  /** Workspace sandboxes by instance id. */
  readonly #sandboxesByInstance = new Map<string, Set<string>>();
  readonly #containers = new Map<string, Entry>();
  readonly #containersByJoinKey = new Map<string, Set<string>>();
  /** Joined workspace containers by instance id. */
  readonly #instances = new Map<string, Set<string>>();
  readonly #started = new KeyedWaiters<string, string>();
  readonly #stopped = new KeyedWaiters<string, void>();
  #joined = 0;
  #seq = 0;
  #synced = false;

  constructor(logger: Logger) {
    this.#log = logger;
  }

  /** Workspace containers joined to a workspace. */
  get size(): number {
    return this.#joined;
  }

  get pendingWaits(): number {
    return this.#started.size + this.#stopped.size;
  }

  // --- lookups -------------------------------------------------------------

  /** A workspace container joined to a workspace, by its id. */
  byContainerId(containerId: string): WorkspaceContainer | undefined {
    const entry = this.#containers.get(containerId);
    return entry?.instanceId === undefined ? undefined : entry;
  }

  /** The current workspace container of an instance: the newest container of its newest pod. */
  byInstance(instanceId: string): WorkspaceContainer | undefined {
    let pod: SandboxEntry | undefined;
    for (const id of this.#sandboxesByInstance.get(instanceId) ?? []) {
      const sandbox = this.#sandboxes.get(id)!;
      if (!pod || newer(sandbox, pod)) pod = sandbox;
    }
    let current: Entry | undefined;
    for (const id of this.#instances.get(instanceId) ?? []) {
      const entry = this.#containers.get(id)!;
      if (entry.sandboxId === pod?.record.id && (!current || newer(entry, current))) current = entry;
    }
    return current;
  }

  taskOf(containerId: string): TaskState | undefined {
    return this.#containers.get(containerId)?.task;
  }

  // --- waits ---------------------------------------------------------------

  /** Resolves with the current container's id once it exists with a task. */
  waitForContainer(instanceId: string, signal: AbortSignal): Promise<string> {
    const current = this.#synced ? this.byInstance(instanceId) : undefined;
    if (current?.task) return Promise.resolve(current.record.id);
    return this.#started.wait(instanceId, signal);
  }

  /** Resolves once the instance has no workspace container left. */
  waitForContainerStop(instanceId: string, signal: AbortSignal): Promise<void> {
    if (this.#synced && !this.#instances.has(instanceId)) return Promise.resolve();
    return this.#stopped.wait(instanceId, signal);
  }

  /** Ends every pending wait with `error`. */
  rejectWaits(error: unknown): void {
    this.#started.rejectAll(error);
    this.#stopped.rejectAll(error);
  }

  // --- changes -------------------------------------------------------------

  /** Marks the index (out of) sync with containerd; coming into sync settles what waits can be settled. */
  setSynced(synced: boolean): void {
    if (synced === this.#synced) return;
    this.#synced = synced;
    if (!synced) return;
    const waited = new Set([...this.#started.keys(), ...this.#stopped.keys()]);
    for (const instanceId of waited) this.#settle(instanceId);
  }

  /** Adds or updates a record; a record that no longer qualifies is dropped. */
  upsert(record: WorkspaceRecord | undefined, id: string): void {
    if (record === undefined) this.remove(id);
    else if (record.kind === 'sandbox') this.#upsertSandbox(record);
    else this.#upsertContainer(record);
  }

  /** Forgets a sandbox or container (deleted from containerd). Unknown ids are fine. */
  remove(id: string): void {
    const entry = this.#containers.get(id);
    if (entry) {
      this.#containers.delete(id);
      deleteFrom(this.#containersByJoinKey, joinKey(entry.record), id);
      if (entry.instanceId !== undefined) this.#log.info(this.#fields(entry), 'workspace container deleted');
      this.#setInstance(entry, undefined);
    }
    const sandbox = this.#sandboxes.get(id)?.record;
    if (sandbox) {
      this.#sandboxes.delete(id);
      deleteFrom(this.#sandboxesByInstance, sandbox.instanceId, id);
      if (this.#sandboxByPod.get(podKey(sandbox.pod)) === id) this.#sandboxByPod.delete(podKey(sandbox.pod));
      this.#rejoinAll([`id:${id}`, podKey(sandbox.pod)]);
      this.#settle(sandbox.instanceId);
    }
  }

  /** A task of a container was created (or found running); containers the index does not hold are ignored. Repeats are harmless. */
  setTask(containerId: string, report: TaskReport): void {
    const entry = this.#containers.get(containerId);
    if (!entry) return;
    const previous = entry.task;
    const samePid = previous?.pid === report.pid;
    entry.task = { pid: report.pid, rootfs: report.rootfs ?? (samePid ? previous?.rootfs : undefined) };
    if (report.mounts) entry.mounts = report.mounts;
    if (!samePid && entry.instanceId !== undefined) {
      const fields = { ...this.#fields(entry), pid: report.pid, rootfs: entry.task.rootfs };
      if (entry.task.rootfs === undefined) this.#log.warn(fields, 'workspace task found, but not where its rootfs is mounted; ContainerRootfs will not answer for it');
      else this.#log.info(fields, 'workspace task created');
    }
    if (entry.instanceId !== undefined) this.#settle(entry.instanceId);
  }

  /**
   * The task of a container was deleted. With a pid, only a task with that
   * pid is cleared, so a repeated delete never clears a newer task.
   */
  clearTask(containerId: string, pid?: number): void {
    const entry = this.#containers.get(containerId);
    if (!entry?.task || (pid !== undefined && pid !== 0 && entry.task.pid !== pid)) return;
    if (entry.instanceId !== undefined) this.#log.info({ ...this.#fields(entry), pid: entry.task.pid }, 'workspace task deleted');
    entry.task = undefined;
  }

  /**
   * Makes the index equal to a fresh listing: what is gone is removed (waking
   * stop waits), what is new is added (waking start waits), tasks are set or
   * cleared. Call with the index out of sync, then setSynced(true).
   */
  replaceAll(records: readonly WorkspaceRecord[], tasks: ReadonlyMap<string, TaskReport>): void {
    const fresh = new Set(records.map((r) => r.id));
    for (const id of [...this.#containers.keys(), ...this.#sandboxes.keys()]) if (!fresh.has(id)) this.remove(id);
    for (const record of records) this.upsert(record, record.id);
    for (const id of this.#containers.keys()) {
      const task = tasks.get(id);
      if (task) this.setTask(id, task);
      else this.clearTask(id);
    }
  }

  // --- internals -----------------------------------------------------------

  #upsertSandbox(record: SandboxRecord): void {
    const entry = this.#sandboxes.get(record.id);
    const previous = entry?.record;
    if (previous && previous.instanceId === record.instanceId && podKey(previous.pod) === podKey(record.pod)) return;
    if (previous) {
      deleteFrom(this.#sandboxesByInstance, previous.instanceId, record.id);
      if (this.#sandboxByPod.get(podKey(previous.pod)) === record.id) this.#sandboxByPod.delete(podKey(previous.pod));
    }
    if (entry) entry.record = record;
    else this.#sandboxes.set(record.id, { record, seq: this.#seq++ });
    addTo(this.#sandboxesByInstance, record.instanceId, record.id);
    this.#sandboxByPod.set(podKey(record.pod), record.id);
    this.#rejoinAll([`id:${record.id}`, podKey(record.pod), ...(previous ? [podKey(previous.pod)] : [])]);
    // A new pod of an instance changes its current container even before the pod has one.
    this.#settle(record.instanceId);
    if (previous && previous.instanceId !== record.instanceId) this.#settle(previous.instanceId);
  }

  #upsertContainer(record: WorkspaceContainerRecord): void {
    let entry = this.#containers.get(record.id);
    if (entry) {
      deleteFrom(this.#containersByJoinKey, joinKey(entry.record), record.id);
      entry.record = record;
    } else {
      entry = { record, seq: this.#seq++ };
      this.#containers.set(record.id, entry);
    }
    addTo(this.#containersByJoinKey, joinKey(record), record.id);
    this.#rejoin(entry);
  }

  #rejoinAll(keys: readonly string[]): void {
    for (const key of keys) {
      for (const id of [...(this.#containersByJoinKey.get(key) ?? [])]) {
        const entry = this.#containers.get(id);
        if (entry) this.#rejoin(entry);
      }
    }
  }

  #sandboxOf(record: WorkspaceContainerRecord): SandboxRecord | undefined {
    const sandboxId = record.sandboxId ?? this.#sandboxByPod.get(podKey(record.pod));
    return sandboxId === undefined ? undefined : this.#sandboxes.get(sandboxId)?.record;
  }

  #rejoin(entry: Entry): void {
    const sandbox = this.#sandboxOf(entry.record);
    entry.sandboxId = sandbox?.id;
    const instanceId = sandbox?.instanceId;
    if (instanceId === entry.instanceId) {
      if (instanceId !== undefined) this.#settle(instanceId);
      return;
    }
    this.#setInstance(entry, instanceId);
    if (instanceId !== undefined) this.#log.info(this.#fields(entry), 'workspace container found');
  }

  #setInstance(entry: Entry, instanceId: string | undefined): void {
    const previous = entry.instanceId;
    if (previous !== undefined && deleteFrom(this.#instances, previous, entry.record.id)) this.#joined--;
    entry.instanceId = instanceId;
    if (instanceId !== undefined) {
      addTo(this.#instances, instanceId, entry.record.id);
      this.#joined++;
    }
    if (previous !== undefined && previous !== instanceId) this.#settle(previous);
    if (instanceId !== undefined) this.#settle(instanceId);
  }

  /** Settles the instance's waits that its current state satisfies. */
  #settle(instanceId: string): void {
    if (!this.#synced) return;
    const current = this.byInstance(instanceId);
    if (current?.task) this.#started.resolve(instanceId, current.record.id);
    if (!this.#instances.has(instanceId)) this.#stopped.resolve(instanceId, undefined);
  }

  #fields(entry: Entry): { instanceId?: string; containerId: string; podName: string } {
    return { instanceId: entry.instanceId, containerId: entry.record.id, podName: entry.record.pod.name };
  }
}
