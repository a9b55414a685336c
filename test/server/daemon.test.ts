// The daemon's lifecycle: stop() ends open streams and waits with
// UNAVAILABLE, aborts the Runtime's work, and removes the socket.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import { ClientError, Status } from 'nice-grpc';
import { fromClientError } from '../../src/error-table.js';
import { RuntimeUnavailableError } from '../../src/errors.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';

const isUnavailable = (e: unknown) => e instanceof ClientError && e.code === Status.UNAVAILABLE;

describe('daemon lifecycle', { timeout: 20_000 }, () => {
  let h: DaemonHarness;
  afterEach(() => h.close());

  it('is RUNNING once started, serves on unix://<socket>', async () => {
    h = await startTestDaemon();
    assert.equal(h.daemon.state, 'RUNNING');
    assert.equal(h.daemon.address, `unix://${h.daemon.socketPath}`);
    h.runtime.answer('containerExists', true);
    assert.deepEqual(await h.client.containerExists({ containerId: 'c1' }), { exists: true });
  });

  it('stop ends open Errors streams and waits with UNAVAILABLE, aborts the Runtime, removes the socket', async () => {
    h = await startTestDaemon();
    h.runtime.hang('waitForContainer');
    const streams = [h.client.errors({})[Symbol.asyncIterator](), h.client.errors({})[Symbol.asyncIterator]()];
    const firsts = streams.map((s) => s.next());
    const wait = settle(h.client.waitForContainer({ workspaceInstanceId: 'ws1' }));
    const waitCall = await h.runtime.nextCall('waitForContainer');
    const errorCalls = [await h.runtime.nextCall('errors'), await h.runtime.nextCall('errors')];
    h.runtime.publish({ message: 'before stop' });
    for (const first of firsts) assert.equal((await first).value?.message, 'before stop');

    const stopped = h.daemon.stop();
    assert.equal(h.daemon.state, 'STOPPING');
    for (const stream of streams) await assert.rejects(stream.next(), isUnavailable);
    const waitError = await wait;
    assert.ok(isUnavailable(waitError), `expected UNAVAILABLE, got ${String(waitError)}`);
    assert.ok(fromClientError(waitError) instanceof RuntimeUnavailableError);
    await stopped;
    assert.equal(h.daemon.state, 'STOPPED');
    await waitCall.aborted;
    for (const call of errorCalls) await call.aborted;
    assert.equal(h.runtime.exchange.subscriberCount, 0);
    assert.equal(existsSync(h.daemon.socketPath), false);
    assert.equal(h.daemon.stop(), stopped, 'stop() is idempotent');
  });

  it('refuses calls after stop', async () => {
    h = await startTestDaemon();
    await h.daemon.stop();
    await assert.rejects(h.client.containerExists({ containerId: 'c1' }), isUnavailable);
    assert.equal(h.runtime.calls.length, 0);
  });

  it('cuts calls off after the grace period when the Runtime ignores the abort', async () => {
    h = await startTestDaemon({ shutdownGraceMs: 200 });
    h.runtime.hangIgnoringAbort('containerPID');
    const pending = settle(h.client.containerPID({ containerId: 'c1' }));
    const call = await h.runtime.nextCall('containerPID');
    const started = Date.now();
    await h.daemon.stop();
    const took = Date.now() - started;
    assert.ok(took >= 190 && took < 2_000, `stop took ${took} ms`);
    assert.equal(call.signal.aborted, true);
    // The connection is cut: the client sees CANCELLED.
    const error = await pending;
    assert.ok(error instanceof ClientError && error.code === Status.CANCELLED, `got ${String(error)}`);
    assert.equal(existsSync(h.daemon.socketPath), false);
    assert.ok(h.logs.some((l) => l.msg === 'calls did not end in time; closing their connections'));
  });
});

/** The error a call failed with (undefined if it succeeded), without an unhandled rejection meanwhile. */
function settle(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  );
}
