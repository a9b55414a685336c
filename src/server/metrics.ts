// Prometheus metrics: per-RPC counts, codes and latencies from
// nice-grpc-prometheus's server middleware, the process's own (CPU, memory,
// event loop) from prom-client, and the backend's state read from its stats()
// at each scrape, served as text on http://<address>/metrics. Successful calls
// are counted here rather than logged one line each.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerMiddleware } from 'nice-grpc';
import { prometheusServerMiddleware, registry as grpcRegistry } from 'nice-grpc-prometheus';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { RuntimeStats, RuntimeStatsSource } from '../runtime.js';

/** The gRPC server middleware that records every call; use it first, so it sees every final status. */
export function grpcMetricsMiddleware(): ServerMiddleware {
  return prometheusServerMiddleware();
}

let processRegistry: Registry | undefined;

/** Process metrics are per process, so they are set up once however many registries are built. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A registry holding the gRPC and process metrics, and the backend's when there is a source. */
export function createMetricsRegistry(source?: RuntimeStatsSource): Registry {
  const shared = [processMetrics(), grpcRegistry];
  return Registry.merge(source ? [...shared, backendMetrics(source)] : shared);
}

/** A metric whose value is one number of the backend's stats. */
type StatMetric = { name: string; help: string; value: (stats: RuntimeStats) => number };

// The backend's state, read at each scrape.
const gauges: readonly StatMetric[] = [
  { name: 'wsruntime_workspaces_tracked', help: 'Workspace containers the index currently holds.', value: (s) => s.workspacesTracked },
  { name: 'wsruntime_pending_waits', help: 'WaitForContainer and WaitForContainerStop calls still waiting.', value: (s) => s.pendingWaits },
  { name: 'wsruntime_errors_subscribers', help: 'Open Errors streams.', value: (s) => s.errorsSubscribers },
  { name: 'wsruntime_containerd_connected', help: '1 while the connection to containerd is up, else 0.', value: (s) => (s.connected ? 1 : 0) },
];

// The backend keeps the running totals; these counters mirror them at each
// scrape (reset, then set to the total) instead of counting a second time.
const totals: readonly StatMetric[] = [
  { name: 'wsruntime_index_resyncs_total', help: 'Full re-lists of containerd containers and tasks into the index.', value: (s) => s.resyncs },
  { name: 'wsruntime_containerd_reconnects_total', help: 'Connections to containerd re-established after a loss.', value: (s) => s.reconnects },
];

function backendMetrics(source: RuntimeStatsSource): Registry {
  const domain = new Registry();
  const registers = [domain];
  for (const { name, help, value } of gauges) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(source.stats()));
      },
    });
  }
  for (const { name, help, value } of totals) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(value(source.stats()));
      },
    });
  }
  new Counter({
    name: 'wsruntime_containerd_events_handled_total',
    help: 'containerd events handled, by topic.',
    labelNames: ['topic'],
    registers,
    collect() {
      this.reset();
      for (const [topic, count] of Object.entries(source.stats().eventsHandled)) this.inc({ topic }, count);
    },
  });
  return domain;
}

export interface MetricsServerOptions {
  /** Where to listen. A port of 0 picks a free one (see `url`). */
  address: { host: string; port: number };
  /** The backend; without one (e.g. a test double) only gRPC and process metrics are served. */
  source?: RuntimeStatsSource;
}

export interface MetricsServer {
  /** The scrape URL, with the port actually bound. */
  readonly url: string;
  /** Stops listening and drops open (keep-alive) connections. Idempotent. */
  close(): Promise<void>;
}

/** Serves the metrics over HTTP; rejects if the address cannot be bound. */
export async function startMetricsServer({ address, source }: MetricsServerOptions): Promise<MetricsServer> {
  const registry = createMetricsRegistry(source);
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`collecting metrics failed: ${String(error)}\n`),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/metrics`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
