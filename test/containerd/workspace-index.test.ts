import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { isAbortError } from 'abort-controller-x';
import { pino } from 'pino';
import type { SandboxRecord, WorkspaceContainerRecord } from '../../src/containerd/container-record.js';
import { WorkspaceIndex } from '../../src/containerd/workspace-index.js';

const silent = pino({ level: 'silent' });
const never = new AbortController().signal;

function sandbox(id: string, instanceId: string, pod = `pod-${id}`, createdAt = 0): SandboxRecord {
  return { kind: 'sandbox', id, instanceId, pod: { name: pod, namespace: 'default', uid: `uid-${pod}` }, createdAt };
}

function container(id: string, sandboxId: string | undefined, createdAt: number, pod = `pod-${sandboxId}`): WorkspaceContainerRecord {
  return { kind: 'container', id, sandboxId, pod: { name: pod, namespace: 'default', uid: `uid-${pod}` }, cgroupsPath: `/kubepods/${id}`, snapshotter: 'overlayfs', snapshotKey: id, createdAt };
}

function syncedIndex(): WorkspaceIndex {
  const index = new WorkspaceIndex(silent);
  index.setSynced(true);
  return index;
}

/** Whether a promise has settled by the time queued microtasks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('WorkspaceIndex', () => {
  it('joins a container to its sandbox whichever arrives first', () => {
    for (const order of ['sandbox-first', 'container-first'] as const) {
      const index = syncedIndex();
      const steps = [() => index.upsert(sandbox('s1', 'i1'), 's1'), () => index.upsert(container('c1', 's1', 1), 'c1')];
      if (order === 'container-first') steps.reverse();
      steps[0]!();
      assert.equal(index.byContainerId('c1'), undefined, `${order}: not a workspace container before the join`);
      steps[1]!();
      assert.equal(index.byContainerId('c1')?.instanceId, 'i1', order);
      assert.equal(index.byInstance('i1')?.record.id, 'c1', order);
      assert.equal(index.size, 1);
    }
  });

  it('keeps a task that arrives before the container\'s sandbox, and resolves waits on the join', async () => {
    const index = syncedIndex();
    const wait = index.waitForContainer('i1', never);
    index.upsert(container('c1', 's1', 1), 'c1');
    index.setTask('c1', { pid: 42, rootfs: '/b/c1/rootfs' });
    assert.equal(await settled(wait), false);
    index.upsert(sandbox('s1', 'i1'), 's1');
    assert.equal(await wait, 'c1');
    assert.equal(index.byContainerId('c1')?.task?.pid, 42);
  });

  it('falls back to pod namespace/name/uid when the spec names no sandbox', () => {
    const index = syncedIndex();
    index.upsert(container('c1', undefined, 1, 'ws-a'), 'c1');
    index.upsert(sandbox('s1', 'i1', 'ws-a'), 's1');
    assert.equal(index.byInstance('i1')?.record.id, 'c1');
    index.remove('s1');
    assert.equal(index.byInstance('i1'), undefined);
    assert.equal(index.size, 0);
  });

  it('answers by instance with the newest container (re-created pod, restarted container)', () => {
    const index = syncedIndex();
    index.upsert(sandbox('s1', 'i1'), 's1');
    index.upsert(container('c1', 's1', 100), 'c1');
    index.upsert(sandbox('s2', 'i1'), 's2');
    index.upsert(container('c2', 's2', 200), 'c2');
    assert.equal(index.byInstance('i1')?.record.id, 'c2');
    // The old one is still a workspace container while it exists.
    assert.equal(index.byContainerId('c1')?.instanceId, 'i1');
    index.remove('c1');
    index.remove('s1');
    assert.equal(index.byInstance('i1')?.record.id, 'c2');
    // Arriving out of order (a listing) changes nothing.
    index.upsert(container('c0', 's2', 50), 'c0');
    assert.equal(index.byInstance('i1')?.record.id, 'c2');
  });

  it('answers by instance about the newest pod: a re-created pod without its container yet hides the old one', async () => {
    const index = syncedIndex();
    index.upsert(sandbox('s1', 'i1', 'ws-a', 100), 's1');
    index.upsert(container('c1', 's1', 110), 'c1');
    index.setTask('c1', { pid: 10 });
    assert.equal(await index.waitForContainer('i1', never), 'c1');

    // The pod is re-created (new sandbox, same instance id) while the old container still runs.
    index.upsert(sandbox('s2', 'i1', 'ws-a-again', 200), 's2');
    assert.equal(index.byInstance('i1'), undefined, 'the new pod has no workspace container yet');
    const wait = index.waitForContainer('i1', never);
    const stop = index.waitForContainerStop('i1', never);
    assert.equal(await settled(wait), false, 'not answered with the old pod\'s container');
    assert.equal(await settled(stop), false, 'the old container still exists');
    assert.equal(index.byContainerId('c1')?.instanceId, 'i1', 'the old container is still answered by id');

    index.upsert(container('c2', 's2', 210), 'c2');
    assert.equal(await settled(wait), false);
    index.setTask('c2', { pid: 20 });
    assert.equal(await wait, 'c2');

    // The new pod goes away before the old one: the old container is current again.
    index.remove('c2');
    index.remove('s2');
    assert.equal(index.byInstance('i1')?.record.id, 'c1');
    assert.equal(await index.waitForContainer('i1', never), 'c1');
    assert.equal(await settled(stop), false);
    index.remove('c1');
    await stop;
  });

  it('does not let an old pod arriving late (a listing) hide the newer one', async () => {
    const index = syncedIndex();
    index.upsert(sandbox('s2', 'i1', 'ws-b', 200), 's2');
    index.upsert(container('c2', 's2', 210), 'c2');
    index.setTask('c2', { pid: 20 });
    index.upsert(sandbox('s1', 'i1', 'ws-a', 100), 's1');
    index.upsert(container('c1', 's1', 110), 'c1');
    assert.equal(index.byInstance('i1')?.record.id, 'c2');
    assert.equal(await index.waitForContainer('i1', never), 'c2');
  });

  it('resolves WaitForContainer only once the current container has a task', async () => {
    const index = syncedIndex();
    const waits = [index.waitForContainer('i1', never), index.waitForContainer('i1', never)];
    index.upsert(sandbox('s1', 'i1'), 's1');
    index.upsert(container('c1', 's1', 1), 'c1');
    assert.equal(await settled(waits[0]!), false);
    index.setTask('c1', { pid: 42 });
    assert.deepEqual(await Promise.all(waits), ['c1', 'c1']);
    assert.equal(await index.waitForContainer('i1', never), 'c1');
    assert.equal(index.pendingWaits, 0);
  });

  it('resolves WaitForContainerStop when the last container of the instance is deleted, at once when unknown', async () => {
    const index = syncedIndex();
    await index.waitForContainerStop('unknown', never);
    index.upsert(sandbox('s1', 'i1'), 's1');
    index.upsert(container('c1', 's1', 1), 'c1');
    index.upsert(container('c2', 's1', 2), 'c2');
    const stop = index.waitForContainerStop('i1', never);
    index.remove('c2');
    assert.equal(await settled(stop), false);
    index.remove('c1');
    await stop;
  });

  it('settles nothing while out of sync, and everything due when back in sync', async () => {
    const index = new WorkspaceIndex(silent);
    const stop = index.waitForContainerStop('unknown', never);
    const start = index.waitForContainer('i1', never);
    index.upsert(sandbox('s1', 'i1'), 's1');
    index.upsert(container('c1', 's1', 1), 'c1');
    index.setTask('c1', { pid: 7 });
    assert.equal(await settled(stop), false);
    assert.equal(await settled(start), false);
    index.setSynced(true);
    await stop;
    assert.equal(await start, 'c1');
  });

  it('frees an aborted wait and its abort listener at once', async () => {
    const index = syncedIndex();
    const controller = new AbortController();
    index.upsert(sandbox('s1', 'i1'), 's1');
    index.upsert(container('c1', 's1', 1), 'c1');
    const wait = index.waitForContainer('i1', controller.signal);
    const stop = index.waitForContainerStop('i1', controller.signal);
    assert.equal(index.pendingWaits, 2);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 2);
    controller.abort();
    await assert.rejects(wait, isAbortError);
    await assert.rejects(stop, isAbortError);
    assert.equal(index.pendingWaits, 0);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('makes itself equal to a fresh listing, tasks included, and ignores stale task deletes', async () => {
    const index = syncedIndex();
    index.upsert(sandbox('s1', 'i1'), 's1');
    index.upsert(container('c1', 's1', 1), 'c1');
    index.setTask('c1', { pid: 10, rootfs: '/b/c1/rootfs' });
    const stop = index.waitForContainerStop('i1', never);
    const start = index.waitForContainer('i2', never);
    index.setSynced(false);
    index.replaceAll([sandbox('s2', 'i2'), container('c2', 's2', 2)], new Map([['c2', { pid: 20, rootfs: '/b/c2/rootfs' }]]));
    index.setSynced(true);
    await stop;
    assert.equal(await start, 'c2');
    assert.equal(index.byContainerId('c1'), undefined);
    index.clearTask('c2', 19);
    assert.equal(index.taskOf('c2')?.pid, 20);
    // Same pid again (a repeated /tasks/create): the known rootfs stays.
    index.setTask('c2', { pid: 20 });
    assert.equal(index.taskOf('c2')?.rootfs, '/b/c2/rootfs');
    index.clearTask('c2', 20);
    assert.equal(index.taskOf('c2'), undefined);
  });

  it('rejects every pending wait on rejectWaits', async () => {
    const index = syncedIndex();
    const wait = index.waitForContainer('i1', never);
    index.rejectWaits(new Error('closed'));
    await assert.rejects(wait, /closed/);
    assert.equal(index.pendingWaits, 0);
  });
});
