// The shutdown middleware on its own: what it leaves on the daemon-long
// `stopping` signal and on the call's own signal once a call ends, however
// it ends, and how it turns a stop into UNAVAILABLE.

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { AbortError, forever, isAbortError } from 'abort-controller-x';
import { Metadata, ServerError, Status, type CallContext, type ServerMiddlewareCall } from 'nice-grpc-common';
import { OpenCalls } from '../../src/server/open-calls.js';
import { createShutdownMiddleware } from '../../src/server/shutdown-middleware.js';

type Handler = (request: unknown, context: CallContext) => AsyncGenerator<unknown, unknown, undefined>;

/** Runs one call through the middleware; resolves with what it returned or threw. */
async function run(stopping: AbortSignal, openCalls: OpenCalls, handler: Handler, options: { signal?: AbortSignal; request?: unknown; requestStream?: boolean } = {}) {
  const requestStream = options.requestStream ?? false;
  const call = {
    method: { path: '/test/Method', requestStream, responseStream: false, options: {} },
    requestStream,
    responseStream: false,
    request: options.request ?? {},
    next: handler,
  } as unknown as ServerMiddlewareCall<unknown, unknown>;
  const context: CallContext = {
    metadata: Metadata(),
    peer: 'test',
    header: Metadata(),
    sendHeader: () => {},
    trailer: Metadata(),
    signal: options.signal ?? new AbortController().signal,
  };
  const iterator = createShutdownMiddleware(stopping, openCalls)(call, context);
  try {
    const result = await iterator.next();
    return { value: result.value };
  } catch (error) {
    return { error };
  }
}

describe('shutdown middleware', () => {
  it('leaves no listener on `stopping` or on the call signal, whether the call returns, throws or is cancelled', async () => {
    const stopping = new AbortController();
    const openCalls = new OpenCalls();
    const callSignal = new AbortController();
    const outcomes = await Promise.all([
      run(stopping.signal, openCalls, async function* () {
        return 'done';
      }, { signal: callSignal.signal }),
      run(stopping.signal, openCalls, async function* () {
        throw new Error('failed');
      }, { signal: callSignal.signal }),
      (async () => {
        const cancelled = new AbortController();
        const outcome = run(stopping.signal, openCalls, async function* (_request, context) {
          await forever(context.signal);
        }, { signal: cancelled.signal });
        cancelled.abort();
        return outcome;
      })(),
    ]);
    assert.equal(outcomes[0]!.value, 'done');
    assert.equal((outcomes[1]!.error as Error).message, 'failed');
    assert.ok(isAbortError(outcomes[2]!.error));
    assert.equal(getEventListeners(stopping.signal, 'abort').length, 0);
    assert.equal(getEventListeners(callSignal.signal, 'abort').length, 0);
    assert.equal(openCalls.count, 0);
  });

  it('a stop ends a waiting call with UNAVAILABLE, and refuses calls after it', async () => {
    const stopping = new AbortController();
    const openCalls = new OpenCalls();
    let seen: AbortSignal | undefined;
    const waiting = run(stopping.signal, openCalls, async function* (_request, context) {
      seen = context.signal;
      await forever(context.signal);
    });
    assert.equal(openCalls.count, 1);
    stopping.abort();
    const { error } = await waiting;
    assert.ok(error instanceof ServerError && error.code === Status.UNAVAILABLE, String(error));
    assert.equal(seen?.aborted, true);
    const late = await run(stopping.signal, openCalls, async function* () {
      assert.fail('a call after the stop reached its handler');
    });
    assert.ok(late.error instanceof ServerError && late.error.code === Status.UNAVAILABLE);
    assert.equal(openCalls.count, 0);
    await openCalls.ended();
  });

  it('a stop ends a request stream its handler reads without looking at any signal', async () => {
    const stopping = new AbortController();
    const never = new AbortController();
    const requests = (async function* () {
      yield 'first';
      await forever(never.signal);
    })();
    const read: unknown[] = [];
    const reading = run(stopping.signal, new OpenCalls(), async function* (request) {
      for await (const r of request as AsyncIterable<unknown>) read.push(r);
      throw new AbortError(); // not reached
    }, { requestStream: true, request: requests });
    await new Promise((resolve) => setImmediate(resolve));
    stopping.abort();
    const { error } = await reading;
    assert.ok(error instanceof ServerError && error.code === Status.UNAVAILABLE, String(error));
    assert.deepEqual(read, ['first']);
    never.abort();
  });
});
