// grpc.health.v1 on the daemon's socket (Gitpod's IsContainerdReady): the
// whole server ('') and wsruntime.v1.RuntimeService are SERVING exactly while
// the backend says it is ready (containerd connected, index in sync), and
// NOT_SERVING otherwise. Status changes are applied the moment the backend
// reports them, so how fast NOT_SERVING shows is up to the backend's flag.

import { ServerError, Status, type CallContext, type Server } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';

/** What health needs from the backend; ContainerdRuntime has this shape. */
export interface Readiness {
  readonly ready: boolean;
  /** Calls `listener` on every change of `ready`; returns an unsubscriber. */
  onReadyChange(listener: (ready: boolean) => void): () => void;
}

/** The service names whose status follows readiness. */
export const healthCheckedServices: readonly string[] = ['', RuntimeServiceDefinition.fullName];

/**
 * Adds grpc.health.v1.Health to `server` (before it listens), driven by
 * `readiness`. The returned disposer stops following readiness, marks every
 * service NOT_SERVING for good and ends open Watch streams with UNAVAILABLE,
 * so a graceful server shutdown does not wait on them. Call it first when
 * stopping.
 */
export function serveHealth(server: Server, readiness: Readiness): () => void {
  const state = HealthState();
  // Every open Watch waits on one 'change' listener; there may be many.
  state.setMaxListeners(0);
  const stopping = new AbortController();

  const apply = (ready: boolean) => {
    if (stopping.signal.aborted) return;
    for (const service of healthCheckedServices) state.setStatus(ready ? 'healthy' : 'unhealthy', service);
  };
  // Subscribe before reading, so a change in between is not lost.
  const unsubscribe = readiness.onReadyChange(apply);
  apply(readiness.ready);

  const impl = HealthServiceImpl(state);
  server.add(HealthDefinition, {
    check: impl.check,
    async *watch(request, context: CallContext) {
      const signal = AbortSignal.any([context.signal, stopping.signal]);
      try {
        yield* impl.watch(request, { ...context, signal });
      } catch (error) {
        if (stopping.signal.aborted && !context.signal.aborted) {
          throw new ServerError(Status.UNAVAILABLE, 'the daemon is shutting down');
        }
        throw error;
      }
    },
  });

  return () => {
    if (stopping.signal.aborted) return;
    unsubscribe();
    // Watchers see NOT_SERVING before their stream ends.
    for (const service of healthCheckedServices) state.setStatus('unhealthy', service);
    stopping.abort();
  };
}
