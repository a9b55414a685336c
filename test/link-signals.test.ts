import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { linkSignals } from '../src/link-signals.js';

describe('linkSignals', () => {
  it('aborts when any source aborts, and is aborted at once if one already is', () => {
    const a = new AbortController();
    const link = linkSignals(undefined, a.signal, new AbortController().signal);
    assert.equal(link.signal.aborted, false);
    a.abort();
    assert.equal(link.signal.aborted, true);
    assert.equal(linkSignals(AbortSignal.abort()).signal.aborted, true);
  });

  it('leaves no listener on a long-lived source after release', () => {
    const longLived = new AbortController().signal;
    for (let i = 0; i < 3; i++) linkSignals(longLived).release();
    assert.equal(getEventListeners(longLived, 'abort').length, 0);
  });
});
