import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { normalizeDeadline } from '../../src/client/runtime-call-options.js';
import { compileRuntimeClientOptions, toGrpcAddress } from '../../src/client/runtime-client-options.js';

describe('toGrpcAddress', () => {
  it('defaults to the daemon socket', () => {
    assert.equal(compileRuntimeClientOptions().address, 'unix:///run/wsruntime/wsruntime.sock');
  });

  it('turns paths into unix:// targets, relative ones resolved', () => {
    assert.equal(toGrpcAddress('/tmp/a.sock'), 'unix:///tmp/a.sock');
    assert.equal(toGrpcAddress('a.sock'), `unix://${path.resolve('a.sock')}`);
    assert.equal(toGrpcAddress('./b:1'), `unix://${path.resolve('b:1')}`);
  });

  it('normalizes unix:PATH, which createChannel would mangle into host:port', () => {
    assert.equal(toGrpcAddress('unix:/tmp/a.sock'), 'unix:///tmp/a.sock');
    assert.equal(toGrpcAddress('unix:rel.sock'), `unix://${path.resolve('rel.sock')}`);
  });

  it('passes full gRPC addresses through', () => {
    for (const address of ['unix:///tmp/a.sock', 'unix-abstract:wsr', 'dns:///node:9000', 'localhost:9000', '[::1]:9000', '10.0.0.1:9000', 'http://h:1']) {
      assert.equal(toGrpcAddress(address), address);
    }
  });

  it('rejects an empty socket', () => {
    assert.throws(() => toGrpcAddress(''), TypeError);
  });
});

describe('normalizeDeadline', () => {
  it('keeps relative ms, converts Dates, clamps the past to 0', () => {
    assert.equal(normalizeDeadline(undefined), undefined);
    assert.equal(normalizeDeadline(250), 250);
    assert.equal(normalizeDeadline(-5), 0);
    const ms = normalizeDeadline(new Date(Date.now() + 10_000))!;
    assert.ok(ms > 9_000 && ms <= 10_000);
  });

  it('treats deadlines setTimeout cannot count as none, and NaN as a mistake', () => {
    assert.equal(normalizeDeadline(Infinity), undefined);
    assert.equal(normalizeDeadline(2 ** 31), undefined);
    assert.throws(() => normalizeDeadline(Number.NaN), TypeError);
    assert.throws(() => normalizeDeadline(new Date('nope')), TypeError);
  });
});
