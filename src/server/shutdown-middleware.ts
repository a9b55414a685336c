// Lets the daemon's stop reach every open call: each handler gets a signal
// that aborts when its client goes away OR the daemon stops. Work cut short
// by the stop (an Errors stream, a wait) ends with UNAVAILABLE, which tells
// the client to retry, rather than the CANCELLED an AbortError would give.

import { setMaxListeners } from 'node:events';
import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';

export const stoppingMessage = 'wsruntimed is stopping';

export function createShutdownMiddleware(stopping: AbortSignal): ServerMiddleware {
  // One listener per open call: hundreds of pending waits are normal use,
  // not a leak (each is removed when its call ends).
  setMaxListeners(0, stopping);
  return async function* shutdownMiddleware(call, context) {
    if (stopping.aborted) throw new ServerError(Status.UNAVAILABLE, stoppingMessage);
    // Linked by hand rather than with AbortSignal.any, so that nothing stays
    // registered on the daemon-long `stopping` signal once the call is over.
    const controller = new AbortController();
    const abort = () => controller.abort();
    context.signal.addEventListener('abort', abort);
    stopping.addEventListener('abort', abort);
    if (context.signal.aborted) abort();
    try {
      return yield* call.next(call.request, { ...context, signal: controller.signal });
    } catch (error) {
      if (isAbortError(error) && stopping.aborted && !context.signal.aborted) {
        throw new ServerError(Status.UNAVAILABLE, stoppingMessage);
      }
      throw error;
    } finally {
      context.signal.removeEventListener('abort', abort);
      stopping.removeEventListener('abort', abort);
    }
  };
}
