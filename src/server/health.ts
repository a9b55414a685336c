// grpc.health.v1 on the daemon's socket (Gitpod's IsContainerdReady): the
// whole server ('') and wsruntime.v1.RuntimeService are SERVING exactly while
// the backend says it is ready (containerd connected, index in sync), and
// NOT_SERVING otherwise. Status changes are applied the moment the backend
// reports them, so how fast NOT_SERVING shows is up to the backend's flag.

import type { Server } from 'nice-grpc';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import type { Readiness } from '../runtime.js';

/** The service names whose status follows readiness. */
export const healthCheckedServices: readonly string[] = ['', RuntimeServiceDefinition.fullName];

/**
 * Adds grpc.health.v1.Health to `server` (before it listens), driven by
 * `readiness`. The returned disposer stops following readiness and marks
 * every service NOT_SERVING for good; call it first when stopping, so that
 * Watch callers see NOT_SERVING before the daemon's shutdown middleware ends
 * their streams with UNAVAILABLE.
 */
export function serveHealth(server: Server, readiness: Readiness): () => void {
  const state = HealthState();
  // Every open Watch waits on one 'change' listener; there may be many.
  state.setMaxListeners(0);
  let disposed = false;

  const apply = (ready: boolean) => {
    for (const service of healthCheckedServices) state.setStatus(ready ? 'healthy' : 'unhealthy', service);
  };
  // Subscribe before reading, so a change in between is not lost.
  const unsubscribe = readiness.onReadyChange((ready) => {
    if (!disposed) apply(ready);
  });
  apply(readiness.ready);

  server.add(HealthDefinition, HealthServiceImpl(state));

  return () => {
    if (disposed) return;
    disposed = true;
    unsubscribe();
    apply(false);
  };
}
