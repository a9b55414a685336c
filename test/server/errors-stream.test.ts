// The Errors stream: every subscriber sees every runtime error from its
// subscription on; one that falls behind is ended alone with
// RESOURCE_EXHAUSTED.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ClientError, Status } from 'nice-grpc';
import { ErrorKind, type ErrorsResponse } from '../../gen/wsruntime/v1/runtime.js';
import { fromClientError } from '../../src/error-table.js';
import { SubscriberOverflowError } from '../../src/errors.js';
import type { RuntimeErrorKind } from '../../src/runtime.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';
import { RuntimeDouble } from '../support/runtime-double.js';

describe('Errors stream', { timeout: 20_000 }, () => {
  let h: DaemonHarness;
  afterEach(() => h.close());

  async function subscribers(n: number): Promise<Array<AsyncIterator<ErrorsResponse>>> {
    const streams = Array.from({ length: n }, () => h.client.errors({})[Symbol.asyncIterator]());
    // A stream's call starts with its first next(); keep those promises.
    const firsts = streams.map((s) => s.next());
    for (let i = 0; i < n; i++) await h.runtime.nextCall('errors');
    assert.equal(h.runtime.exchange.subscriberCount, n);
    return streams.map((s, i) => {
      let first: typeof firsts[number] | undefined = firsts[i];
      return {
        next: () => {
          const p = first ?? s.next();
          first = undefined;
          return p;
        },
      };
    });
  }

  it('two concurrent subscribers both receive the same errors, in order, with time and kind', async () => {
    h = await startTestDaemon();
    const [a, b] = await subscribers(2);
    const kinds: Array<[RuntimeErrorKind, ErrorKind]> = [
      ['connection', ErrorKind.ERROR_KIND_CONNECTION],
      ['event-stream', ErrorKind.ERROR_KIND_EVENT_STREAM],
      ['sync', ErrorKind.ERROR_KIND_SYNC],
      ['decode', ErrorKind.ERROR_KIND_DECODE],
    ];
    const time = new Date('2026-12-04T15:30:00.123Z');
    for (const [kind] of kinds) h.runtime.publish({ message: `failed: ${kind}`, kind, time });
    for (const stream of [a!, b!]) {
      for (const [kind, wireKind] of kinds) {
        const { value, done } = await stream.next();
        assert.equal(done, false);
        assert.deepEqual(value, { time, message: `failed: ${kind}`, kind: wireKind });
      }
    }
  });

  it('a subscriber that falls behind gets RESOURCE_EXHAUSTED while the other keeps going', async () => {
    const capacity = 4;
    h = await startTestDaemon({ runtime: new RuntimeDouble({ errorsCapacity: capacity }) });
    const [fast, slow] = await subscribers(2);
    // Large messages, so the slow client's unread stream backs up its HTTP/2
    // window and the server's writes stall, as a real slow reader's would.
    const big = 'x'.repeat(64 * 1024);
    let published = 0;
    while (h.runtime.exchange.subscriberCount === 2) {
      assert.ok(published < 2_000, 'the slow subscriber never overflowed');
      h.runtime.publish({ message: `${published} ${big}` });
      const { value } = await fast!.next();
      assert.equal(value?.message, `${published} ${big}`);
      published++;
    }

    // The fast one is unaffected.
    h.runtime.publish({ message: 'after' });
    assert.equal((await fast!.next()).value?.message, 'after');

    // The slow one reads what reached it, then learns why it was dropped.
    let received = 0;
    const error = await (async () => {
      try {
        while (!(await slow!.next()).done) received++;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(received < published, `received ${received} of ${published}`);
    assert.ok(error instanceof ClientError, `expected a ClientError, got ${String(error)}`);
    assert.equal(error.code, Status.RESOURCE_EXHAUSTED);
    const typed = fromClientError(error);
    assert.ok(typed instanceof SubscriberOverflowError);
    assert.equal(typed.capacity, capacity);
  });
});
