// Metrics against a real containerd: the backend gauges and counters, and
// the per-RPC metrics, move as workspace pods come and go and as containerd
// is killed and restarted.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sample } from '../server/prometheus-sample.js';
import { startOpsFixture, type OpsFixture } from './ops-fixture.js';

describe('metrics on a real containerd', { timeout: 120_000 }, () => {
  let fx: OpsFixture;

  before(async () => {
    fx = await startOpsFixture();
  });

  after(async () => {
    await fx?.close();
  });

  async function scrape(): Promise<string> {
    const response = await fetch(fx.metricsUrl);
    assert.equal(response.status, 200);
    return response.text();
  }

  /** Scrapes until `check` holds for the text; fails with the last scrape after `timeoutMs`. */
  async function eventually(check: (text: string) => boolean, what: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await scrape();
      if (check(text)) return text;
      if (Date.now() > deadline) assert.fail(`${what} did not happen in ${timeoutMs} ms; last scrape:\n${text.split('\n').filter((l) => l.startsWith('wsruntime_')).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  const metric = (name: string, labels?: Record<string, string>) => (text: string) => sample(text, name, labels) ?? 0;
  const tracked = metric('wsruntime_workspaces_tracked');
  const pendingWaits = metric('wsruntime_pending_waits');
  const connected = metric('wsruntime_containerd_connected');
  const reconnects = metric('wsruntime_containerd_reconnects_total');
  const resyncs = metric('wsruntime_index_resyncs_total');
  const subscribers = metric('wsruntime_errors_subscribers');
  const tasksCreated = metric('wsruntime_containerd_events_handled_total', { topic: '/tasks/create' });
  const tasksDeleted = metric('wsruntime_containerd_events_handled_total', { topic: '/tasks/delete' });
  const waitsOk = metric('grpc_server_handled_total', { grpc_method: 'WaitForContainer', grpc_code: 'OK' });
  const pidNotFound = metric('grpc_server_handled_total', { grpc_method: 'ContainerPID', grpc_code: 'NOT_FOUND' });

  it('move as a workspace pod comes and goes', async () => {
    const start = await eventually((t) => connected(t) === 1, 'connecting to containerd');
    const instanceId = `metrics-${process.pid}-${Date.now()}`;

    const wait = fx.client.waitForContainer({ workspaceInstanceId: instanceId });
    await eventually((t) => pendingWaits(t) === pendingWaits(start) + 1, 'a pending wait');

    const pod = await fx.stack.createWorkspacePod({ instanceId });
    assert.equal((await wait).containerId, pod.containerId);
    const up = await eventually((t) => tracked(t) === tracked(start) + 1 && pendingWaits(t) === pendingWaits(start), 'the workspace being tracked');
    assert.ok(tasksCreated(up) > tasksCreated(start), 'a /tasks/create event was handled');
    assert.equal(waitsOk(up), waitsOk(start) + 1);

    await assert.rejects(fx.client.containerPID({ containerId: 'no-such-container' }));
    await fx.stack.removeWorkspacePod(pod);
    const down = await eventually((t) => tracked(t) === tracked(start), 'the workspace being forgotten');
    assert.ok(tasksDeleted(down) > tasksDeleted(start), 'a /tasks/delete event was handled');
    assert.equal(pidNotFound(down), pidNotFound(start) + 1);
  });

  it('count Errors subscribers while their streams are open', async () => {
    const before = await scrape();
    const abort = new AbortController();
    const stream = fx.client.errors({}, { signal: abort.signal })[Symbol.asyncIterator]();
    const reading = stream.next().catch(() => undefined);
    await eventually((t) => subscribers(t) === subscribers(before) + 1, 'an Errors subscriber');
    abort.abort();
    await reading;
    await eventually((t) => subscribers(t) === subscribers(before), 'the subscriber going away');
  });

  it('follow a containerd kill and restart: connected, reconnects, resyncs', async () => {
    const before = await eventually((t) => connected(t) === 1, 'connecting to containerd');
    await fx.stack.containerd.kill('SIGKILL');
    await eventually((t) => connected(t) === 0, 'seeing containerd gone');
    await fx.stack.containerd.restart();
    const after = await eventually((t) => connected(t) === 1 && reconnects(t) === reconnects(before) + 1, 'reconnecting', 30_000);
    assert.ok(resyncs(after) > resyncs(before), 'the index was re-listed');
  });
});
