// Builds the daemon's gRPC server: the one place that says which middleware
// wraps every call and which services are served (RuntimeService,
// grpc.health.v1, server reflection). The metrics middleware
// (nice-grpc-prometheus) goes first in the use() chain so that it sees every
// final status.

import { createServer, type Server } from 'nice-grpc';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import type { Logger } from 'pino';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import type { Readiness, Runtime } from '../runtime.js';
import { createErrorMiddleware } from './error-middleware.js';
import { createRuntimeService } from './runtime-service.js';
import { serveHealth } from './health.js';
import { grpcMetricsMiddleware } from './metrics.js';
import { serveReflection } from './reflection.js';
import { OpenCalls } from './open-calls.js';
import { createShutdownMiddleware } from './shutdown-middleware.js';

export interface DaemonServerParts {
  runtime: Runtime;
  /** Drives grpc.health.v1. */
  readiness: Readiness;
  logger: Logger;
  /** Aborted when the daemon stops; ends open calls with UNAVAILABLE. */
  stopping: AbortSignal;
}

export interface DaemonServer {
  server: Server;
  /** Pins health at NOT_SERVING; call first when stopping. */
  stopHealth: () => void;
  /** The calls in progress on `server`. */
  openCalls: OpenCalls;
}

export function createDaemonServer({ runtime, readiness, logger, stopping }: DaemonServerParts): DaemonServer {
  // Outermost first: errorDetailsServerMiddleware writes the
  // grpc-status-details-bin trailer for the RichServerErrors that the error
  // middleware makes out of what the shutdown middleware and handlers throw.
  const openCalls = new OpenCalls();
  const server = createServer()
    .use(grpcMetricsMiddleware())
    .use(errorDetailsServerMiddleware)
    .use(createErrorMiddleware(logger))
    .use(createShutdownMiddleware(stopping, openCalls));

  server.add(RuntimeServiceDefinition, createRuntimeService(runtime));
  const stopHealth = serveHealth(server, readiness);
  serveReflection(server);
  return { server, stopHealth, openCalls };
}
