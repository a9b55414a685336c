// The SDK against a real daemon (startDaemon) serving a RuntimeDouble: values,
// each typed error, abort and deadline reaching the server, retries across a
// daemon restart, and the errors iterator.

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  ContainerNotFoundError,
  createRuntimeClient,
  InvalidArgumentError,
  isAbortError,
  isDeadlineExceeded,
  NoCGroupError,
  NoUpperdirError,
  PathNotMappedError,
  RuntimeUnavailableError,
  WsRuntimeError,
  type RetryEvent,
  type RuntimeClient,
  type RuntimeErrorEvent,
} from '../../src/client/index.js';
import { RuntimeDouble } from '../support/runtime-double.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';

describe('RuntimeClient', () => {
  let fixture: DaemonHarness;
  let client: RuntimeClient;
  let retries: RetryEvent[];

  beforeEach(async () => {
    fixture = await startTestDaemon({ shutdownGraceMs: 1_000 });
    retries = [];
    client = createRuntimeClient({ socket: fixture.socket, onRetry: (event) => retries.push(event) });
  });

  afterEach(async () => {
    client.close();
    await fixture.close();
  });

  describe('answers', () => {
    it('returns plain values for every method', async () => {
      fixture.runtime
        .answer('waitForContainer', 'c-1')
        .answer('waitForContainerStop', undefined)
        .answer('containerExists', true)
        .answer('containerUpperdir', '/var/lib/upper')
        .answer('containerRootfs', (call: { args: unknown[] }) => ((call.args[1] as { unmapped: boolean }).unmapped ? '/node/rootfs' : '/mapped/rootfs'))
        .answer('containerCGroupPath', '/kubepods/pod1/c-1')
        .answer('containerPID', 4242);

      assert.equal(await client.waitForContainer('inst-1'), 'c-1');
      assert.equal(await client.waitForContainerStop('inst-1'), undefined);
      assert.equal(await client.containerExists('c-1'), true);
      assert.equal(await client.containerUpperdir('c-1'), '/var/lib/upper');
      assert.equal(await client.containerRootfs('c-1'), '/mapped/rootfs');
      assert.equal(await client.containerRootfs('c-1', { unmapped: true }), '/node/rootfs');
      assert.equal(await client.containerCGroupPath('c-1'), '/kubepods/pod1/c-1');
      assert.equal(await client.containerPID('c-1'), 4242);
      assert.deepEqual(fixture.runtime.calls.find((c) => c.method === 'waitForContainer')?.args, ['inst-1']);
    });

    it('accepts the unix: address form the daemon reports', async () => {
      const other = createRuntimeClient({ socket: `unix:${fixture.socket}` });
      try {
        fixture.runtime.answer('containerExists', false);
        assert.equal(await other.containerExists('c-1'), false);
      } finally {
        other.close();
      }
    });
  });

  describe('typed errors', () => {
    it('ContainerNotFoundError names the container', async () => {
      fixture.runtime.fail('containerPID', new ContainerNotFoundError({ containerId: 'c-9' }));
      const error = await rejection(client.containerPID('c-9'));
      assert.ok(error instanceof ContainerNotFoundError);
      assert.ok(error instanceof WsRuntimeError);
      assert.equal(error.containerId, 'c-9');
      assert.equal(error.workspaceInstanceId, '');
    });

    it('ContainerNotFoundError names the workspace instance', async () => {
      fixture.runtime.fail('waitForContainer', new ContainerNotFoundError({ workspaceInstanceId: 'inst-9' }));
      const error = await rejection(client.waitForContainer('inst-9'));
      assert.ok(error instanceof ContainerNotFoundError);
      assert.equal(error.workspaceInstanceId, 'inst-9');
    });

    it('NoUpperdirError, NoCGroupError and PathNotMappedError carry their fields', async () => {
      fixture.runtime
        .fail('containerUpperdir', new NoUpperdirError('c-1'))
        .fail('containerCGroupPath', new NoCGroupError('c-1'))
        .fail('containerRootfs', new PathNotMappedError({ containerId: 'c-1', nodePath: '/node/x', reason: 'no mapping covers it' }));

      const upper = await rejection(client.containerUpperdir('c-1'));
      assert.ok(upper instanceof NoUpperdirError);
      assert.equal(upper.containerId, 'c-1');

      const cgroup = await rejection(client.containerCGroupPath('c-1'));
      assert.ok(cgroup instanceof NoCGroupError);
      assert.equal(cgroup.containerId, 'c-1');

      const rootfs = await rejection(client.containerRootfs('c-1'));
      assert.ok(rootfs instanceof PathNotMappedError);
      assert.deepEqual([rootfs.containerId, rootfs.nodePath, rootfs.reason], ['c-1', '/node/x', 'no mapping covers it']);
    });

    it('InvalidArgumentError lists plain field violations, without reaching the runtime', async () => {
      const error = await rejection(client.containerPID('../etc'));
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(error.violations.length, 1);
      assert.deepEqual(Object.keys(error.violations[0]!).sort(), ['description', 'field']);
      assert.equal(error.violations[0]!.field, 'container_id');
      assert.equal(fixture.runtime.calls.length, 0);
    });

    it('RuntimeUnavailableError after bounded retries when containerd stays away', async () => {
      fixture.runtime.fail('containerExists', new RuntimeUnavailableError('containerd is down'));
      const error = await rejection(client.containerExists('c-1'));
      assert.ok(error instanceof RuntimeUnavailableError);
      assert.match(error.message, /containerd is down/);
      const attempts = fixture.runtime.calls.filter((c) => c.method === 'containerExists').length;
      assert.equal(attempts, 5, 'one call and four retries');
      assert.deepEqual(retries.map((r) => r.attempt), [0, 1, 2, 3]);
      assert.ok(retries.every((r) => r.method === '/wsruntime.v1.RuntimeService/ContainerExists'));
    });
  });

  describe('retries', () => {
    it('a unary call succeeds once containerd is back', async () => {
      let calls = 0;
      fixture.runtime.answer('containerPID', () => (calls++ === 0 ? Promise.reject(new RuntimeUnavailableError('blip')) : 7));
      assert.equal(await client.containerPID('c-1'), 7);
      assert.equal(retries.length, 1);
      assert.ok(retries[0]!.error instanceof RuntimeUnavailableError);
    });

    it('a pending wait completes across a daemon restart', async () => {
      fixture.runtime.hang('waitForContainer');
      const waiting = client.waitForContainer('inst-1');
      const first = await fixture.runtime.nextCall('waitForContainer');

      const next = new RuntimeDouble().answer('waitForContainer', 'c-after-restart');
      await fixture.restart(next);

      assert.equal(await waiting, 'c-after-restart');
      assert.equal(first.signal.aborted, true, 'the old daemon ended its wait');
      assert.deepEqual(next.calls.map((c) => c.args), [['inst-1']]);
      assert.ok(retries.length >= 1);
    });

    it('a wait keeps re-issuing while the daemon is down, until its deadline', async () => {
      await fixture.daemon.stop();
      const started = Date.now();
      const error = await rejection(client.waitForContainer('inst-1', { deadline: 700 }));
      assert.ok(isDeadlineExceeded(error), String(error));
      assert.ok(Date.now() - started < 2_000);
      assert.ok(retries.length >= 2, `retried ${retries.length} times`);
    });

    it('unary calls do not retry errors that will not change', async () => {
      fixture.runtime.fail('containerPID', new ContainerNotFoundError({ containerId: 'c-1' }));
      await rejection(client.containerPID('c-1'));
      assert.equal(fixture.runtime.calls.length, 1);
      assert.equal(retries.length, 0);
    });
  });

  describe('cancellation', () => {
    it('aborting a wait rejects with an AbortError and the server sees the abort', async () => {
      fixture.runtime.hang('waitForContainer');
      const controller = new AbortController();
      const outcome = rejection(client.waitForContainer('inst-1', { signal: controller.signal }));
      const call = await fixture.runtime.nextCall('waitForContainer');
      controller.abort();
      assert.ok(isAbortError(await outcome));
      await call.aborted;
    });

    it('an already aborted signal fails at once without calling the daemon', async () => {
      const error = await rejection(client.containerPID('c-1', { signal: AbortSignal.abort() }));
      assert.ok(isAbortError(error));
      assert.equal(fixture.runtime.calls.length, 0);
    });

    it('a deadline in ms ends a wait with DEADLINE_EXCEEDED and cancels it on the server', async () => {
      fixture.runtime.hang('waitForContainerStop');
      const started = Date.now();
      const outcome = rejection(client.waitForContainerStop('inst-1', { deadline: 200 }));
      const call = await fixture.runtime.nextCall('waitForContainerStop');
      const error = await outcome;
      assert.ok(isDeadlineExceeded(error), String(error));
      assert.ok(!(error instanceof WsRuntimeError));
      assert.ok(Date.now() - started >= 190);
      await call.aborted;
    });

    it('a Date deadline works the same; a past one fails at once', async () => {
      fixture.runtime.hang('waitForContainer');
      assert.ok(isDeadlineExceeded(await rejection(client.waitForContainer('inst-1', { deadline: new Date(Date.now() + 100) }))));
      assert.ok(isDeadlineExceeded(await rejection(client.waitForContainer('inst-1', { deadline: new Date(Date.now() - 1) }))));
    });

    it('an infinite or far deadline means none (not an immediate timeout)', async () => {
      fixture.runtime.answer('containerPID', 1);
      assert.equal(await client.containerPID('c-1', { deadline: Infinity }), 1);
      assert.equal(await client.containerPID('c-1', { deadline: 30 * 24 * 3600_000 }), 1);
    });
  });

  describe('errors()', () => {
    it('yields plain events and cancels the stream when the loop breaks', async () => {
      const seen: RuntimeErrorEvent[] = [];
      const reading = (async () => {
        for await (const event of client.errors()) {
          seen.push(event);
          if (seen.length === 2) break;
        }
      })();
      const subscription = await fixture.runtime.nextCall('errors');
      const time = new Date('2024-05-06T07:08:09.010Z');
      fixture.runtime.publish({ kind: 'event-stream', message: 'events ended', time });
      fixture.runtime.publish({ kind: 'sync', message: 'list failed', time });
      await reading;
      assert.deepEqual(seen, [
        { time, kind: 'event-stream', message: 'events ended' },
        { time, kind: 'sync', message: 'list failed' },
      ]);
      await subscription.aborted;
    });

    it('ends with an AbortError when its signal aborts, and the server sees it', async () => {
      const controller = new AbortController();
      const outcome = rejection(
        (async () => {
          for await (const _ of client.errors({ signal: controller.signal })) {
            // nothing is published
          }
        })(),
      );
      const subscription = await fixture.runtime.nextCall('errors');
      controller.abort();
      assert.ok(isAbortError(await outcome));
      await subscription.aborted;
    });

    it('ends with RuntimeUnavailableError when the daemon stops', async () => {
      const reading = (async () => {
        for await (const _ of client.errors()) {
          // nothing is published
        }
      })();
      const outcome = rejection(reading);
      await fixture.runtime.nextCall('errors');
      await fixture.daemon.stop();
      assert.ok((await outcome) instanceof RuntimeUnavailableError);
    });
  });

  it('close() cancels running calls, which the server sees, and refuses new ones', async () => {
    fixture.runtime.hang('waitForContainer');
    const outcome = rejection(client.waitForContainer('inst-1'));
    const call = await fixture.runtime.nextCall('waitForContainer');
    client.close();
    assert.ok(isAbortError(await outcome));
    await call.aborted;
    assert.match(String(await rejection(client.containerPID('c-1'))), /client .* is closed/);
    client.close(); // idempotent
  });

  it('holds many calls in flight on one client without a listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      fixture.runtime.hang('waitForContainer');
      const waits = Array.from({ length: 30 }, (_, i) => rejection(client.waitForContainer(`inst-${i}`)));
      for (let i = 0; i < 30; i++) await fixture.runtime.nextCall('waitForContainer');
      client.close();
      for (const outcome of await Promise.all(waits)) assert.ok(isAbortError(outcome));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('leaves no listener on a long-lived caller signal once its calls end, however they end', async () => {
    const longLived = new AbortController().signal;
    let unavailable = 0;
    fixture.runtime
      .answer('containerPID', 7)
      .fail('containerUpperdir', new NoUpperdirError('c-1'))
      .answer('containerExists', () => (unavailable++ === 0 ? Promise.reject(new RuntimeUnavailableError('blip')) : true))
      .hang('waitForContainer');
    assert.equal(await client.containerPID('c-1', { signal: longLived }), 7);
    assert.ok((await rejection(client.containerUpperdir('c-1', { signal: longLived }))) instanceof NoUpperdirError);
    assert.equal(await client.containerExists('c-1', { signal: longLived }), true);
    assert.ok(isDeadlineExceeded(await rejection(client.waitForContainer('inst-1', { signal: longLived, deadline: 50 }))));
    const reading = (async () => {
      for await (const _ of client.errors({ signal: longLived })) break;
    })();
    await fixture.runtime.nextCall('errors');
    fixture.runtime.publish({ message: 'one' });
    await reading;
    assert.equal(getEventListeners(longLived, 'abort').length, 0);
  });

  it('fails with RuntimeUnavailableError when no daemon listens', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-nodaemon-'));
    const lonely = createRuntimeClient({ socket: path.join(dir, 'none.sock') });
    try {
      assert.ok((await rejection(lonely.containerExists('c-1'))) instanceof RuntimeUnavailableError);
    } finally {
      lonely.close();
      await rm(dir, { recursive: true, force: true });
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
