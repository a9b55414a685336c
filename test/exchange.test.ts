import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { isAbortError } from 'abort-controller-x';
import { SubscriberOverflowError } from '../src/errors.js';
import { Exchange } from '../src/exchange.js';

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const values: T[] = [];
  for (let i = 0; i < n; i++) {
    const result = await iterator.next();
    assert.equal(result.done, false);
    values.push(result.value);
  }
  return values;
}

describe('Exchange', () => {
  it('delivers every value published after subscribe to every subscriber, in order', async () => {
    const exchange = new Exchange<number>();
    exchange.publish(0); // before anyone subscribed: lost by design
    const a = exchange.subscribe(new AbortController().signal);
    const b = exchange.subscribe(new AbortController().signal);
    assert.equal(exchange.subscriberCount, 2);
    for (const v of [1, 2, 3]) exchange.publish(v);
    assert.deepEqual(await take(a, 3), [1, 2, 3]);
    assert.deepEqual(await take(b, 3), [1, 2, 3]);
  });

  it('wakes a subscriber waiting for the next value', async () => {
    const exchange = new Exchange<string>();
    const a = exchange.subscribe(new AbortController().signal);
    const next = a.next();
    exchange.publish('x');
    assert.deepEqual(await next, { value: 'x', done: false });
  });

  it('ends only the subscriber that overflows, after what it had not read is dropped', async () => {
    const exchange = new Exchange<number>(3);
    const slow = exchange.subscribe(new AbortController().signal);
    const fast = exchange.subscribe(new AbortController().signal);
    for (let v = 1; v <= 3; v++) exchange.publish(v);
    assert.deepEqual(await take(fast, 3), [1, 2, 3]);
    exchange.publish(4); // slow holds 3 already: it overflows
    assert.equal(exchange.subscriberCount, 1);
    await assert.rejects(slow.next(), (e) => e instanceof SubscriberOverflowError && e.capacity === 3);
    exchange.publish(5);
    assert.deepEqual(await take(fast, 2), [4, 5]);
  });

  it('ends a subscription with an AbortError when its signal aborts, removing its listener', async () => {
    const exchange = new Exchange<number>();
    const controller = new AbortController();
    const a = exchange.subscribe(controller.signal);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    const pending = a.next();
    controller.abort();
    await assert.rejects(pending, (e) => isAbortError(e));
    assert.equal(exchange.subscriberCount, 0);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('refuses to subscribe with an aborted signal', () => {
    const exchange = new Exchange<number>();
    const controller = new AbortController();
    controller.abort();
    assert.throws(() => exchange.subscribe(controller.signal), (e) => isAbortError(e));
    assert.equal(exchange.subscriberCount, 0);
  });

  it('unsubscribes and removes its listener when iteration stops early', async () => {
    const exchange = new Exchange<number>();
    const controller = new AbortController();
    const a = exchange.subscribe(controller.signal);
    exchange.publish(1);
    for await (const v of a) {
      assert.equal(v, 1);
      break;
    }
    assert.equal(exchange.subscriberCount, 0);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('closeAll ends every subscription with the given error', async () => {
    const exchange = new Exchange<number>();
    const subs = [exchange.subscribe(new AbortController().signal), exchange.subscribe(new AbortController().signal)];
    const pending = subs[0]!.next();
    const stopping = new Error('stopping');
    exchange.closeAll(stopping);
    assert.equal(exchange.subscriberCount, 0);
    await assert.rejects(pending, stopping);
    await assert.rejects(subs[1]!.next(), stopping);
  });

  it('never makes the publisher wait', () => {
    const exchange = new Exchange<number>(2);
    exchange.subscribe(new AbortController().signal);
    for (let v = 0; v < 10_000; v++) exchange.publish(v);
    assert.equal(exchange.subscriberCount, 0);
  });

  it('return() ends a next() that is waiting, and later next() calls are done', async () => {
    const exchange = new Exchange<number>();
    const a = exchange.subscribe(new AbortController().signal);
    const waiting = a.next();
    await a.return!();
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.deepEqual(await a.next(), { value: undefined, done: true });
    assert.equal(exchange.subscriberCount, 0);
  });

  it('drops its abort listener when a subscription ends by overflow or closeAll, without another next()', () => {
    const exchange = new Exchange<number>(1);
    const overflowing = new AbortController();
    const closed = new AbortController();
    exchange.subscribe(overflowing.signal);
    exchange.publish(1);
    exchange.publish(2); // overflows the first subscriber
    exchange.subscribe(closed.signal);
    exchange.closeAll(new Error('stopping'));
    assert.equal(getEventListeners(overflowing.signal, 'abort').length, 0);
    assert.equal(getEventListeners(closed.signal, 'abort').length, 0);
  });

  it('throws the ending error once, then is done', async () => {
    const exchange = new Exchange<number>();
    const a = exchange.subscribe(new AbortController().signal);
    const stopping = new Error('stopping');
    exchange.closeAll(stopping);
    await assert.rejects(a.next(), stopping);
    assert.deepEqual(await a.next(), { value: undefined, done: true });
  });

  it('serves next() calls made before the previous one settled, in order, and settles them all at the end', async () => {
    const exchange = new Exchange<number>();
    const controller = new AbortController();
    const a = exchange.subscribe(controller.signal);
    const first = a.next();
    const second = a.next();
    exchange.publish(1);
    exchange.publish(2);
    assert.deepEqual(await Promise.all([first, second]), [
      { value: 1, done: false },
      { value: 2, done: false },
    ]);
    // Two waiting when the subscription ends: one gets the error, the other is done.
    const third = a.next().then((r) => r, (e: unknown) => e);
    const fourth = a.next().then((r) => r, (e: unknown) => e);
    controller.abort();
    const [x, y] = await Promise.all([third, fourth]);
    assert.ok(isAbortError(x), String(x));
    assert.deepEqual(y, { value: undefined, done: true });
  });

});
