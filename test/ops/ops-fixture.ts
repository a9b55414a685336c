// A private containerd with the real ContainerdRuntime behind a gRPC server
// carrying the ops surface — metrics middleware first, RuntimeService,
// grpc.health.v1 — plus the metrics HTTP server, for the test/ops tests.
// Assembled here from the modules rather than by startDaemon, so these tests
// do not depend on how the daemon wires them in.

import { createClient, createServer } from 'nice-grpc';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { HealthDefinition } from 'nice-grpc-server-health';
import { pino } from 'pino';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import { ContainerdRuntime } from '../../src/containerd/containerd-runtime.js';
import { createErrorMiddleware } from '../../src/server/error-middleware.js';
import { serveHealth } from '../../src/server/health.js';
import { grpcMetricsMiddleware, startMetricsServer, type MetricsServer } from '../../src/server/metrics.js';
import { createRuntimeService } from '../../src/server/runtime-service.js';
import { listenOnTempSocket, type TempSocketServer } from '../server/temp-socket-server.js';
import { startStack, type TestStack } from '../support/stack.js';

export interface OpsFixture {
  stack: TestStack;
  runtime: ContainerdRuntime;
  harness: TempSocketServer;
  metrics: MetricsServer;
  health: ReturnType<typeof createClient<typeof HealthDefinition>>;
  client: ReturnType<typeof createClient<typeof RuntimeServiceDefinition>>;
  close(): Promise<void>;
}

export async function startOpsFixture(): Promise<OpsFixture> {
  const stack = await startStack();
  const cleanups: Array<() => unknown> = [() => stack.close()];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) await cleanup();
    })());
  const logger = pino({ level: 'silent' });
  try {
    const runtime = new ContainerdRuntime({
      address: stack.containerd.address,
      namespace: stack.namespace,
      pathMappings: [],
      instanceLabels: ['gitpod.io/instanceID', 'workspaceID'],
      workspaceContainer: 'workspace',
      // Quick reconnects keep the restart tests short.
      backoff: { initialMs: 50, maxMs: 200 },
      logger,
    });
    runtime.start();
    cleanups.push(() => runtime.close());

    // In the daemon's order: metrics outermost, so they see every final status.
    const server = createServer().use(grpcMetricsMiddleware()).use(errorDetailsServerMiddleware).use(createErrorMiddleware(logger));
    server.add(RuntimeServiceDefinition, createRuntimeService(runtime));
    cleanups.push(serveHealth(server, runtime));
    const harness = await listenOnTempSocket(server);
    cleanups.push(() => harness.close());

    const metrics = await startMetricsServer({ address: { host: '127.0.0.1', port: 0 }, source: runtime });
    cleanups.push(() => metrics.close());

    return {
      stack,
      runtime,
      harness,
      metrics,
      health: createClient(HealthDefinition, harness.channel),
      client: createClient(RuntimeServiceDefinition, harness.channel),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
