import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { findShims, isAlive } from '../../src/devstack/host-cleanup.js';
import { startStack, withStack, type TestStack } from '../support/stack.js';
import { exists, mountPoints, tasks } from './task-facts.js';

// Everything a stopped stack must have left behind: nothing.
async function assertGone(stack: TestStack, pids: number[], podUids: string[]): Promise<void> {
  for (const pid of [stack.containerd.pid, ...pids]) assert.equal(await isAlive(pid), false, `pid ${pid} is gone`);
  assert.deepEqual(findShims(stack.containerd.address), [], 'no shims of ours');
  assert.deepEqual(
    (await mountPoints()).filter((p) => p.startsWith(stack.dir)),
    [],
    'nothing mounted under the dir',
  );
  assert.equal(await exists(stack.dir), false, 'dir removed');
  for (const uid of podUids) {
    assert.equal(await exists(`/sys/fs/cgroup/pids/kubepods/besteffort/pod${uid}`), false, `pod${uid} cgroup removed`);
  }
}

async function runningPids(stack: TestStack): Promise<number[]> {
  return [...(await tasks(stack)).values()].map((t) => t.pid);
}

describe('private containerd stop', () => {
  const stacks: TestStack[] = [];
  const start = async () => {
    const s = await startStack();
    stacks.push(s);
    return s;
  };
  // Backstop for failed assertions; close() is safe to call twice.
  after(() => Promise.all(stacks.map((s) => s.close().catch(() => undefined))));

  it('removes pods that are still running, and can be called twice', async () => {
    const stack = await start();
    const pods = [await stack.createWorkspacePod({ instanceId: 'a' }), await stack.createWorkspacePod({ instanceId: 'b' })];
    const pids = await runningPids(stack);
    assert.equal(pids.length, 4);
    await Promise.all([stack.close(), stack.close()]);
    await stack.close();
    await assertGone(stack, pids, pods.map((p) => p.podUid));
  });

  it('cleans up after a SIGKILLed containerd whose tasks live on', async () => {
    const stack = await start();
    const pod = await stack.createWorkspacePod({ instanceId: 'orphan' });
    const pids = await runningPids(stack);
    await stack.containerd.kill();
    assert.ok(findShims(stack.containerd.address).length > 0);
    await stack.close();
    await assertGone(stack, pids, [pod.podUid]);
  });

  it('kills what its shims run when containerd cannot come back', async () => {
    const stack = await start();
    const pod = await stack.createWorkspacePod({ instanceId: 'doomed' });
    const pids = await runningPids(stack);
    await stack.containerd.kill();
    await writeFile(stack.containerd.configPath, 'this is = not [toml');
    await assert.rejects(stack.close(), /cleanup was incomplete/);
    await assertGone(stack, pids, [pod.podUid]);
  });

  it('leaves another containerd and its pods alone', async () => {
    const mine = await start();
    const other = await start();
    const otherPod = await other.createWorkspacePod({ instanceId: 'bystander' });
    await mine.createWorkspacePod({ instanceId: 'mine' });
    const otherPids = await runningPids(other);
    const otherShims = findShims(other.containerd.address);

    await mine.close();

    assert.equal(other.containerd.running, true);
    for (const pid of [...otherPids, ...otherShims]) assert.equal(await isAlive(pid), true, `pid ${pid} survives`);
    assert.equal((await tasks(other)).get(otherPod.containerId)?.status, 'RUNNING');
    await other.close();
  });

  it('withStack closes the stack when the body throws', async (t) => {
    let seen: TestStack | undefined;
    await assert.rejects(
      withStack(t, async (stack) => {
        seen = stack;
        await stack.createWorkspacePod({ instanceId: randomUUID() });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(seen);
    assert.equal(await exists(seen.dir), false);
    assert.deepEqual(findShims(seen.containerd.address), []);
  });
});
