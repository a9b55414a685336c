import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ClientError, createClient, createServer, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { HealthCheckResponse_ServingStatus as ServingStatus } from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import type { Readiness } from '../../src/runtime.js';
import { serveHealth } from '../../src/server/health.js';
import { listenOnTempSocket, type TempSocketServer } from './temp-socket-server.js';

/** A Readiness the test flips by hand, counting its listeners. */
class FakeReadiness implements Readiness {
  readonly listeners = new Set<(ready: boolean) => void>();
  constructor(public ready: boolean) {}

  onReadyChange(listener: (ready: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(ready: boolean): void {
    this.ready = ready;
    for (const l of this.listeners) l(ready);
  }
}

const runtimeService = 'wsruntime.v1.RuntimeService';

describe('health', () => {
  let readiness: FakeReadiness;
  let dispose: () => void;
  let harness: TempSocketServer;
  let client: ReturnType<typeof createClient<typeof HealthDefinition>>;
  /** Paths of calls whose server side has finished (completed, failed or aborted). */
  let ended: string[];

  beforeEach(async () => {
    ended = [];
    readiness = new FakeReadiness(false);
    const server = createServer().use(async function* <Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
      try {
        return yield* call.next(call.request, context);
      } finally {
        ended.push(call.method.path);
      }
    });
    dispose = serveHealth(server, readiness);
    harness = await listenOnTempSocket(server);
    client = createClient(HealthDefinition, harness.channel);
  });

  afterEach(async () => {
    dispose();
    await harness.close();
  });

  async function statusOf(service: string) {
    return (await client.check({ service })).status;
  }

  it('serves both names only while ready', async () => {
    assert.equal(await statusOf(''), ServingStatus.NOT_SERVING);
    assert.equal(await statusOf(runtimeService), ServingStatus.NOT_SERVING);

    readiness.set(true);
    assert.equal(await statusOf(''), ServingStatus.SERVING);
    assert.equal(await statusOf(runtimeService), ServingStatus.SERVING);

    readiness.set(false);
    assert.equal(await statusOf(''), ServingStatus.NOT_SERVING);
    assert.equal(await statusOf(runtimeService), ServingStatus.NOT_SERVING);
  });

  it('answers NOT_FOUND for a service it does not know', async () => {
    await assert.rejects(client.check({ service: 'no.such.Service' }), (e: unknown) => e instanceof ClientError && e.code === Status.NOT_FOUND);
  });

  it('Watch sends the current status, then every change', async () => {
    const abort = new AbortController();
    const stream = client.watch({ service: runtimeService }, { signal: abort.signal })[Symbol.asyncIterator]();
    assert.equal((await stream.next()).value?.status, ServingStatus.NOT_SERVING);

    readiness.set(true);
    assert.equal((await stream.next()).value?.status, ServingStatus.SERVING);
    readiness.set(false);
    assert.equal((await stream.next()).value?.status, ServingStatus.NOT_SERVING);

    abort.abort();
    await assert.rejects(stream.next(), { name: 'AbortError' });
    await waitFor(() => ended.includes('/grpc.health.v1.Health/Watch'));
  });

  it('Watch on an unknown service says SERVICE_UNKNOWN', async () => {
    const abort = new AbortController();
    const stream = client.watch({ service: 'no.such.Service' }, { signal: abort.signal })[Symbol.asyncIterator]();
    assert.equal((await stream.next()).value?.status, ServingStatus.SERVICE_UNKNOWN);
    abort.abort();
    await assert.rejects(stream.next(), { name: 'AbortError' });
  });

  it('the disposer marks NOT_SERVING for good, and Watch callers see it', async () => {
    readiness.set(true);
    const abort = new AbortController();
    const stream = client.watch({ service: '' }, { signal: abort.signal })[Symbol.asyncIterator]();
    assert.equal((await stream.next()).value?.status, ServingStatus.SERVING);

    dispose();
    assert.equal(readiness.listeners.size, 0);
    assert.equal((await stream.next()).value?.status, ServingStatus.NOT_SERVING);

    readiness.set(true);
    assert.equal(await statusOf(''), ServingStatus.NOT_SERVING);
    assert.equal(await statusOf(runtimeService), ServingStatus.NOT_SERVING);
    abort.abort();
    await assert.rejects(stream.next(), { name: 'AbortError' });
  });

  it('many watchers at once raise no listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const aborts = Array.from({ length: 20 }, () => new AbortController());
    try {
      const streams = aborts.map((a) => client.watch({ service: '' }, { signal: a.signal })[Symbol.asyncIterator]());
      for (const s of streams) assert.equal((await s.next()).value?.status, ServingStatus.NOT_SERVING);
      readiness.set(true);
      for (const s of streams) assert.equal((await s.next()).value?.status, ServingStatus.SERVING);
      for (const a of aborts) a.abort();
      for (const s of streams) await assert.rejects(s.next(), { name: 'AbortError' });
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
