// A client that gives up (cancel or deadline) must abort the server-side work
// through the Runtime's AbortSignal at once.

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { credentials, Client as GrpcClient, Metadata as GrpcMetadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { isAbortError } from 'abort-controller-x';
import { ClientError, Status } from 'nice-grpc';
import { WaitForContainerRequest, WaitForContainerResponse } from '../../gen/wsruntime/v1/runtime.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';

describe('cancellation', { timeout: 10_000 }, () => {
  let h: DaemonHarness;
  beforeEach(async () => {
    h = await startTestDaemon();
  });
  afterEach(() => h.close());

  it('a client cancel aborts the Runtime call', async () => {
    h.runtime.hang('waitForContainer');
    const controller = new AbortController();
    const pending = h.client.waitForContainer({ workspaceInstanceId: 'ws1' }, { signal: controller.signal });
    const call = await h.runtime.nextCall('waitForContainer');
    assert.equal(call.signal.aborted, false);
    controller.abort();
    await assert.rejects(pending, (e) => isAbortError(e));
    await call.aborted;
    assert.equal(call.signal.aborted, true);
  });

  it('a deadline gives DEADLINE_EXCEEDED and aborts the Runtime call', async () => {
    h.runtime.hang('waitForContainerStop');
    const started = Date.now();
    const pending = h.client.waitForContainerStop({ workspaceInstanceId: 'ws1' }, { deadline: new Date(Date.now() + 200) });
    const call = await h.runtime.nextCall('waitForContainerStop');
    await assert.rejects(pending, (e) => e instanceof ClientError && e.code === Status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started >= 190);
    await call.aborted;
  });

  it('a grpc-timeout sent on the wire (as other languages do) aborts the Runtime call', async () => {
    h.runtime.hang('waitForContainer');
    const raw = new GrpcClient(h.daemon.address, credentials.createInsecure());
    try {
      const pending = new Promise<unknown>((resolve) => {
        raw.makeUnaryRequest(
          '/wsruntime.v1.RuntimeService/WaitForContainer',
          (r: WaitForContainerRequest) => Buffer.from(WaitForContainerRequest.encode(r).finish()),
          (b: Buffer) => WaitForContainerResponse.decode(b),
          { workspaceInstanceId: 'ws1' },
          new GrpcMetadata(),
          { deadline: Date.now() + 200 },
          (error: ServiceError | null) => resolve(error),
        );
      });
      const call = await h.runtime.nextCall('waitForContainer');
      const error = (await pending) as ServiceError;
      assert.equal(error?.code, grpcStatus.DEADLINE_EXCEEDED);
      await call.aborted;
    } finally {
      raw.close();
    }
  });

  it('a cancelled Errors stream unsubscribes and leaves no listener behind', async () => {
    const controller = new AbortController();
    const stream = h.client.errors({}, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = stream.next();
    const call = await h.runtime.nextCall('errors');
    assert.equal(h.runtime.exchange.subscriberCount, 1);
    h.runtime.publish({ message: 'one' });
    assert.equal((await first).value?.message, 'one');
    controller.abort();
    await assert.rejects(stream.next(), (e) => isAbortError(e));
    await call.aborted;
    await waitUntil(() => h.runtime.exchange.subscriberCount === 0);
    assert.equal(getEventListeners(call.signal, 'abort').length, 0);
  });

  it('a finished call leaves no listener on its signal', async () => {
    h.runtime.answer('containerPID', 7);
    assert.equal((await h.client.containerPID({ containerId: 'c1' })).pid, 7);
    const call = await h.runtime.nextCall('containerPID');
    // Only the double's own "aborted" watcher remains.
    assert.equal(getEventListeners(call.signal, 'abort').length, 1);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
