// The SDK end to end: a real daemon on the containerd backend, a private
// containerd, and workspace pods made through CRI as kubelet makes them.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ContainerNotFoundError,
  createRuntimeClient,
  InvalidArgumentError,
  isAbortError,
  isDeadlineExceeded,
  RuntimeUnavailableError,
  type RuntimeClient,
  type RuntimeErrorEvent,
} from '../../src/client/index.js';
import { ready, startStackDaemon, type StackDaemon } from '../support/stack-daemon.js';

const instance = () => `e2e-${randomUUID().slice(0, 8)}`;

describe('RuntimeClient on the real stack', () => {
  let fixture: StackDaemon;
  let client: RuntimeClient;

  before(async () => {
    fixture = await startStackDaemon();
    client = createRuntimeClient({ socket: fixture.socket });
  });

  after(async () => {
    client?.close();
    await fixture?.close();
  });

  it('waits for a workspace container, reports it, and waits for it to go', async () => {
    const instanceId = instance();
    const waiting = client.waitForContainer(instanceId, { deadline: 30_000 });
    const pod = await fixture.stack.createWorkspacePod({ instanceId });
    let removed = false;
    try {
      const id = await waiting;
      assert.equal(id, pod.containerId);
      assert.equal(await client.containerExists(id), true);

      const pid = await client.containerPID(id);
      assert.match(await readFile(`/proc/${pid}/cmdline`, 'utf8'), /^sleep\0/);
      assert.equal(await client.containerCGroupPath(id), `/kubepods/besteffort/pod${pod.podUid}/${id}`);

      const rootfs = await client.containerRootfs(id);
      assert.equal(await client.containerRootfs(id, { unmapped: true }), rootfs, 'no path mappings: both views agree');
      const upperdir = await client.containerUpperdir(id);
      assert.ok((await stat(upperdir)).isDirectory());
      await writeFile(path.join(rootfs, 'from-the-test'), 'hi');
      assert.equal(await readFile(path.join(upperdir, 'from-the-test'), 'utf8'), 'hi');

      const stopping = client.waitForContainerStop(instanceId, { deadline: 30_000 });
      await fixture.stack.removeWorkspacePod(pod);
      removed = true;
      await stopping;
      assert.equal(await client.containerExists(id), false);
    } finally {
      if (!removed) await fixture.stack.removeWorkspacePod(pod);
    }
  });

  it('typed errors from the backend', async () => {
    const unknown = await rejection(client.containerPID('no-such-container'));
    assert.ok(unknown instanceof ContainerNotFoundError);
    assert.equal(unknown.containerId, 'no-such-container');
    assert.ok((await rejection(client.containerUpperdir('no-such-container'))) instanceof ContainerNotFoundError);
    assert.ok((await rejection(client.containerCGroupPath('no-such-container'))) instanceof ContainerNotFoundError);
    const invalid = await rejection(client.waitForContainer('a/b'));
    assert.ok(invalid instanceof InvalidArgumentError);
    assert.equal(invalid.violations[0]!.field, 'workspace_instance_id');
    assert.equal(await client.containerExists('no-such-container'), false);
  });

  it('abort and deadline end a wait for an instance that never comes', async () => {
    const controller = new AbortController();
    const aborted = rejection(client.waitForContainer(instance(), { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    assert.ok(isAbortError(await aborted));
    assert.ok(isDeadlineExceeded(await rejection(client.waitForContainer(instance(), { deadline: 200 }))));
  });

  it('a pending wait survives a daemon restart', async () => {
    const instanceId = instance();
    let retries = 0;
    const patient = createRuntimeClient({ socket: fixture.socket, onRetry: () => retries++ });
    try {
      const waiting = patient.waitForContainer(instanceId, { deadline: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 200)); // the wait reaches the daemon
      await fixture.restartDaemon();
      const pod = await fixture.stack.createWorkspacePod({ instanceId });
      try {
        assert.equal(await waiting, pod.containerId);
        assert.ok(retries >= 1, 'the wait was re-issued');
      } finally {
        await fixture.stack.removeWorkspacePod(pod);
      }
    } finally {
      patient.close();
    }
  });

  // Last: it takes containerd away and brings it back.
  it('errors() reports losing containerd; calls meanwhile are RuntimeUnavailableError', async () => {
    const controller = new AbortController();
    const seen: RuntimeErrorEvent[] = [];
    const reading = (async () => {
      for await (const event of client.errors({ signal: controller.signal })) {
        seen.push(event);
        break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription reaches the daemon
    await fixture.stack.containerd.kill();
    try {
      await reading;
      assert.equal(seen.length, 1);
      assert.ok(['connection', 'event-stream'].includes(seen[0]!.kind), seen[0]!.kind);
      assert.ok(seen[0]!.time instanceof Date);
      assert.ok((await rejection(client.containerExists('anything'))) instanceof RuntimeUnavailableError);
    } finally {
      controller.abort();
      await fixture.stack.containerd.restart();
      await ready(fixture.runtime);
    }
  });
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}
