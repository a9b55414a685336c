import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, createServer } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { serveHealth } from '../../src/server/health.js';
import type { RuntimeStats } from '../../src/runtime.js';
import { grpcMetricsMiddleware, startMetricsServer, type MetricsServer } from '../../src/server/metrics.js';
import { sample } from './prometheus-sample.js';
import { listenOnTempSocket, type TempSocketServer } from './temp-socket-server.js';

describe('metrics', () => {
  const stats: RuntimeStats = {
    workspacesTracked: 0,
    pendingWaits: 0,
    errorsSubscribers: 0,
    connected: false,
    eventsHandled: {},
    resyncs: 0,
    reconnects: 0,
  };
  let metrics: MetricsServer;
  let harness: TempSocketServer;
  let health: ReturnType<typeof createClient<typeof HealthDefinition>>;
  let disposeHealth: () => void;

  before(async () => {
    metrics = await startMetricsServer({ address: { host: '127.0.0.1', port: 0 }, source: { stats: () => stats } });
    // Any service will do to see per-RPC metrics; health needs no backend.
    const server = createServer().use(grpcMetricsMiddleware());
    disposeHealth = serveHealth(server, { ready: true, onReadyChange: () => () => {} });
    harness = await listenOnTempSocket(server);
    health = createClient(HealthDefinition, harness.channel);
  });

  after(async () => {
    disposeHealth();
    await harness.close();
    await metrics.close();
  });

  async function scrape(): Promise<string> {
    const response = await fetch(metrics.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  it('listens where it was told, on the port it bound', () => {
    assert.match(metrics.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(new URL(metrics.url).port, '0');
  });

  it('mirrors the backend stats, moving as they move', async () => {
    let text = await scrape();
    assert.equal(sample(text, 'wsruntime_workspaces_tracked'), 0);
    assert.equal(sample(text, 'wsruntime_containerd_connected'), 0);
    assert.equal(sample(text, 'wsruntime_index_resyncs_total'), 0);

    Object.assign(stats, {
      workspacesTracked: 3,
      pendingWaits: 2,
      errorsSubscribers: 1,
      connected: true,
      eventsHandled: { '/tasks/create': 5, '/containers/delete': 1 },
      resyncs: 1,
      reconnects: 0,
    });
    text = await scrape();
    assert.equal(sample(text, 'wsruntime_workspaces_tracked'), 3);
    assert.equal(sample(text, 'wsruntime_pending_waits'), 2);
    assert.equal(sample(text, 'wsruntime_errors_subscribers'), 1);
    assert.equal(sample(text, 'wsruntime_containerd_connected'), 1);
    assert.equal(sample(text, 'wsruntime_containerd_events_handled_total', { topic: '/tasks/create' }), 5);
    assert.equal(sample(text, 'wsruntime_containerd_events_handled_total', { topic: '/containers/delete' }), 1);
    assert.equal(sample(text, 'wsruntime_index_resyncs_total'), 1);
    assert.equal(sample(text, 'wsruntime_containerd_reconnects_total'), 0);
    assert.match(text, /# TYPE wsruntime_containerd_events_handled_total counter/);

    Object.assign(stats, { workspacesTracked: 1, connected: false, eventsHandled: { '/tasks/create': 7, '/containers/delete': 1 }, reconnects: 1 });
    text = await scrape();
    assert.equal(sample(text, 'wsruntime_workspaces_tracked'), 1);
    assert.equal(sample(text, 'wsruntime_containerd_connected'), 0);
    assert.equal(sample(text, 'wsruntime_containerd_events_handled_total', { topic: '/tasks/create' }), 7);
    assert.equal(sample(text, 'wsruntime_containerd_reconnects_total'), 1);
  });

  it('counts calls by method and code, with latencies', async () => {
    const check = { grpc_method: 'Check', grpc_service: 'grpc.health.v1.Health' };
    const before = await scrape();
    const okBefore = sample(before, 'grpc_server_handled_total', { ...check, grpc_code: 'OK' }) ?? 0;
    const notFoundBefore = sample(before, 'grpc_server_handled_total', { ...check, grpc_code: 'NOT_FOUND' }) ?? 0;
    const latencyBefore = sample(before, 'grpc_server_handling_seconds_count', { ...check, grpc_code: 'OK' }) ?? 0;

    await health.check({ service: '' });
    await health.check({ service: 'wsruntime.v1.RuntimeService' });
    await assert.rejects(health.check({ service: 'no.such.Service' }));

    const text = await scrape();
    assert.equal(sample(text, 'grpc_server_handled_total', { ...check, grpc_code: 'OK', grpc_type: 'unary' }), okBefore + 2);
    assert.equal(sample(text, 'grpc_server_handled_total', { ...check, grpc_code: 'NOT_FOUND' }), notFoundBefore + 1);
    assert.equal(sample(text, 'grpc_server_handling_seconds_count', { ...check, grpc_code: 'OK' }), latencyBefore + 2);
    assert.ok((sample(text, 'grpc_server_started_total', check) ?? 0) >= 3);
  });

  it('includes process metrics', async () => {
    const text = await scrape();
    assert.ok((sample(text, 'process_resident_memory_bytes') ?? 0) > 0);
  });

  it('answers only GET and HEAD on /metrics', async () => {
    const base = new URL(metrics.url);
    assert.equal((await fetch(new URL('/', base))).status, 404);
    assert.equal((await fetch(base, { method: 'POST' })).status, 405);
    const head = await fetch(base, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('serves gRPC and process metrics without a backend source', async () => {
    const bare = await startMetricsServer({ address: { host: '127.0.0.1', port: 0 } });
    try {
      const text = await (await fetch(bare.url)).text();
      assert.match(text, /# TYPE grpc_server_handled_total counter/);
      assert.ok((sample(text, 'process_resident_memory_bytes') ?? 0) > 0);
      assert.equal(sample(text, 'wsruntime_workspaces_tracked'), undefined);
    } finally {
      await bare.close();
    }
  });

  it('fails to start on an address already taken, and close() frees the port', async () => {
    const port = Number(new URL(metrics.url).port);
    const source = { stats: () => stats };
    await assert.rejects(startMetricsServer({ address: { host: '127.0.0.1', port }, source }), { code: 'EADDRINUSE' });

    const other = await startMetricsServer({ address: { host: '127.0.0.1', port: 0 }, source });
    // A keep-alive connection must not hold close() up.
    assert.equal((await fetch(other.url)).status, 200);
    await other.close();
    await other.close();
    await assert.rejects(fetch(other.url));
  });
});
