// The daemon's lifecycle: stop() ends open streams and waits with
// UNAVAILABLE, aborts the Runtime's work, and removes the socket.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { forever } from 'abort-controller-x';
import { ClientError, createClient, Status } from 'nice-grpc';
import { ServerReflectionService } from 'nice-grpc-server-reflection';
import reflectionPb from 'nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js';
import { fromClientError } from '../../src/error-table.js';
import { RuntimeUnavailableError } from '../../src/errors.js';
import { pino } from 'pino';
import type { Readiness } from '../../src/runtime.js';
import { compileDaemonOptions } from '../../src/server/daemon-options.js';
import { startDaemon } from '../../src/server/daemon.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';
import { RuntimeDouble } from '../support/runtime-double.js';

const { ServerReflectionRequest } = reflectionPb;

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

  it('stop ends an open reflection stream with UNAVAILABLE, not by cutting it after the grace period', async () => {
    h = await startTestDaemon();
    const reflection = createClient(ServerReflectionService, h.channel);
    const requests = new AbortController();
    // A tool that keeps its reflection stream open between questions.
    const stream = reflection.serverReflectionInfo(
      (async function* () {
        yield new ServerReflectionRequest().setListServices('*');
        await forever(requests.signal);
      })(),
    )[Symbol.asyncIterator]();
    try {
      assert.ok((await stream.next()).value?.getListServicesResponse());
      const started = Date.now();
      const stopped = h.daemon.stop();
      await assert.rejects(stream.next(), isUnavailable);
      await stopped;
      assert.ok(Date.now() - started < 1_000, `stop took ${Date.now() - started} ms`);
      assert.deepEqual(h.logs.filter((l) => (l.level as number) >= 40).map((l) => l.msg), []);
    } finally {
      requests.abort();
    }
  });

  it('does not wait out the grace period for connections that never speak', async () => {
    h = await startTestDaemon();
    h.runtime.answer('containerExists', true);
    // A peer that connected and stalled: before, during and after the HTTP/2 preface.
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const stalled = [Buffer.alloc(0), preface.subarray(0, 5), Buffer.concat([preface, settings])].map((bytes) => {
      const socket = net.connect(h.daemon.socketPath);
      socket.on('error', () => {});
      socket.write(bytes);
      return socket;
    });
    try {
      assert.deepEqual(await h.client.containerExists({ containerId: 'c1' }), { exists: true });
      const started = Date.now();
      await h.daemon.stop();
      const took = Date.now() - started;
      assert.ok(took < 1_000, `stop took ${took} ms`);
      assert.equal(existsSync(h.daemon.socketPath), false);
      assert.deepEqual(h.logs.filter((l) => (l.level as number) >= 40).map((l) => l.msg), []);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });

  it('answers a call that arrives while STOPPING with UNAVAILABLE, without reaching the Runtime', async () => {
    h = await startTestDaemon({ shutdownGraceMs: 1_000 });
    // A call the Runtime will not let go of keeps the daemon STOPPING.
    h.runtime.hangIgnoringAbort('waitForContainer').answer('containerExists', true);
    const stuck = settle(h.client.waitForContainer({ workspaceInstanceId: 'ws1' }));
    await h.runtime.nextCall('waitForContainer');
    const stopped = h.daemon.stop();
    assert.equal(h.daemon.state, 'STOPPING');
    const late = await settle(h.client.containerExists({ containerId: 'c1' }));
    assert.ok(isUnavailable(late), `expected UNAVAILABLE, got ${String(late)}`);
    assert.equal(h.daemon.state, 'STOPPING');
    assert.deepEqual(h.runtime.calls.map((c) => c.method), ['waitForContainer']);
    await stopped;
    await stuck;
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

describe('daemon start failure', () => {
  it('a daemon that cannot start stops following its readiness', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-test-'));
    try {
      const socket = path.join(dir, 'taken');
      await writeFile(socket, 'not a socket');
      const listeners = new Set<(ready: boolean) => void>();
      const readiness: Readiness = {
        ready: true,
        onReadyChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
      };
      const options = compileDaemonOptions({ socket });
      await assert.rejects(startDaemon({ options, runtime: new RuntimeDouble(), readiness, logger: pino({ level: 'silent' }) }), /not a socket/);
      assert.equal(listeners.size, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The error a call failed with (undefined if it succeeded), without an unhandled rejection meanwhile. */
function settle(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  );
}
