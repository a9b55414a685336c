// Lets the daemon's stop reach every open call: each handler gets a signal
// that aborts when its client goes away OR the daemon stops, and a request
// stream that ends with an AbortError then too (handlers that only read
// their requests, such as reflection's, never look at a signal). Work cut
// short by the stop (an Errors stream, a wait) ends with UNAVAILABLE, which
// tells the client to retry, rather than the CANCELLED an AbortError would
// give. Every call it lets through is counted in `openCalls` until it ends.

import { setMaxListeners } from 'node:events';
import { abortable, isAbortError } from 'abort-controller-x';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';
import { linkSignals } from '../link-signals.js';
import type { OpenCalls } from './open-calls.js';

export const stoppingMessage = 'wsruntimed is stopping';

export function createShutdownMiddleware(stopping: AbortSignal, openCalls: OpenCalls): ServerMiddleware {
  // One listener per open call: hundreds of pending waits are normal use,
  // not a leak (each is removed when its call ends).
  setMaxListeners(0, stopping);
  return async function* shutdownMiddleware(call, context) {
    if (stopping.aborted) throw new ServerError(Status.UNAVAILABLE, stoppingMessage);
    const { signal, release } = linkSignals(context.signal, stopping);
    openCalls.enter();
    try {
      const request = call.requestStream ? endOnAbort(signal, call.request) : call.request;
      return yield* call.next(request, { ...context, signal });
    } catch (error) {
      if (isAbortError(error) && stopping.aborted && !context.signal.aborted) {
        throw new ServerError(Status.UNAVAILABLE, stoppingMessage);
      }
      throw error;
    } finally {
      openCalls.leave();
      release();
    }
  };
}

/**
 * `requests`, ending with an AbortError when `signal` aborts. The pending read
 * of the source is abandoned, not awaited: nice-grpc ends it with the call.
 */
async function* endOnAbort<T>(signal: AbortSignal, requests: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = requests[Symbol.asyncIterator]();
  for (;;) {
    const result = await abortable(signal, iterator.next());
    if (result.done) return;
    yield result.value;
  }
}
