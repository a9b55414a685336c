// Hostile input against a real daemon (startDaemon on a unix socket, a
// RuntimeDouble behind it): malformed protobuf for every RPC the socket
// serves, bytes that are not HTTP/2 or not gRPC, connections that never
// speak, and ids at the edge of validation. Whatever arrives, the daemon
// answers with a status (or drops that connection), keeps serving, stays
// RUNNING, and the process sees no unhandled rejection, uncaught exception
// or warning. Every byte comes from a seeded PRNG, so a failure replays.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { status as GrpcStatus, type Client as GrpcClient } from '@grpc/grpc-js';
import { ClientError, createChannel, createClient, Status, type Channel, type Metadata } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { ContainerExistsRequest, ErrorsRequest } from '../../gen/wsruntime/v1/runtime.js';
import { identifierPattern, maxIdentifierLength } from '../../src/server/validation.js';
import { createTestClient, startTestDaemon, type DaemonHarness, type TestClient } from '../support/daemon-harness.js';
import { decodeRpcStatus } from '../support/rpc-status.js';
import { startStackDaemon, type StackDaemon } from '../support/stack-daemon.js';
import { hostilePayloads, stringField } from './hostile-payloads.js';
import { recordProcessTrouble, type ProcessRecorder } from './process-recorder.js';
import { createPrng } from './prng.js';
import { rawCall, rawClient, type RawMethod } from './raw-calls.js';
import {
  connectHttp2,
  FrameType,
  grpcMessage,
  http2Frame,
  http2Preface,
  http2Request,
  sendBytes,
} from './raw-connections.js';

const seed = 0x5eed;
const service = '/wsruntime.v1.RuntimeService/';
const largePayloadBytes = 64 * 1024;

/** Every method the daemon's socket serves, and what a well-formed request to it is. */
const methods: RawMethod[] = [
  { path: `${service}WaitForContainer`, shape: 'unary', valid: stringField(1, 'ws1') },
  { path: `${service}WaitForContainerStop`, shape: 'unary', valid: stringField(1, 'ws1') },
  { path: `${service}ContainerExists`, shape: 'unary', valid: stringField(1, 'c1') },
  { path: `${service}ContainerUpperdir`, shape: 'unary', valid: stringField(1, 'c1') },
  { path: `${service}ContainerRootfs`, shape: 'unary', valid: Buffer.concat([stringField(1, 'c1'), Buffer.from([0x10, 0x01])]) },
  { path: `${service}ContainerCGroupPath`, shape: 'unary', valid: stringField(1, 'c1') },
  { path: `${service}ContainerPID`, shape: 'unary', valid: stringField(1, 'c1') },
  { path: `${service}Errors`, shape: 'server-stream', valid: Buffer.from(ErrorsRequest.encode({}).finish()) },
  { path: '/grpc.health.v1.Health/Check', shape: 'unary', valid: stringField(1, 'wsruntime.v1.RuntimeService') },
  { path: '/grpc.health.v1.Health/Watch', shape: 'server-stream', valid: stringField(1, '') },
  { path: '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', shape: 'bidi', valid: stringField(7, '*') },
  { path: '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', shape: 'bidi', valid: stringField(7, '*') },
];

/**
 * The statuses a malformed request may get: decoded and refused by us
 * (INVALID_ARGUMENT; NOT_FOUND for an unknown health service), not decodable
 * (INTERNAL), too large (RESOURCE_EXHAUSTED), or decoded into something valid
 * (OK). A stream that decoded stays open until its deadline. UNKNOWN would
 * mean a handler threw something unmapped; CANCELLED or UNAVAILABLE that the
 * daemon dropped the call.
 */
function allowedCodes(method: RawMethod): Set<GrpcStatus> {
  const codes = new Set([GrpcStatus.OK, GrpcStatus.INVALID_ARGUMENT, GrpcStatus.INTERNAL, GrpcStatus.RESOURCE_EXHAUSTED]);
  if (method.path.startsWith('/grpc.health.v1.')) codes.add(GrpcStatus.NOT_FOUND);
  if (method.shape === 'server-stream') codes.add(GrpcStatus.DEADLINE_EXCEEDED);
  return codes;
}

const at76 = 'a'.repeat(maxIdentifierLength);
/** [id, valid?]: valid ones must reach the Runtime as they are; the rest are refused before it. */
const edgeIds: Array<[string, boolean]> = [
  ['a', true],
  ['0', true],
  [at76, true],
  [`${'9'.repeat(37)}.${'z'.repeat(38)}`, true],
  ['A1-b2_c3.d4', true],
  ['0f3c2a8e-4b6d-4c1a-9e77-2d5b8a1f6c30', true],
  ['3f9a0d6c1b2e4f5a8c7d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', true],
  ['', false],
  [`${at76}a`, false],
  [`${at76}\u0301`, false], // 76 letters and a combining mark: 77 UTF-16 units
  [`${'a'.repeat(75)}é`, false],
  ['a'.repeat(100_000), false],
  ['.', false],
  ['..', false],
  ['...', false],
  ['-', false],
  ['_', false],
  ['-a', false],
  ['a-', false],
  ['.a', false],
  ['a.', false],
  ['_a', false],
  ['a_', false],
  ['a..b', false],
  ['a-.b', false],
  ['a--b', false],
  ['/a', false],
  ['a/', false],
  ['a/b', false],
  ['../x', false],
  ['x/..', false],
  ['a\\b', false],
  ['\\', false],
  ['%2e%2e', false],
  ['a%2fb', false],
  [' a', false],
  ['a ', false],
  ['a b', false],
  ['a\tb', false],
  ['a\nb', false],
  ['\u0000', false],
  ['a\u0000', false],
  ['a\u0000b', false],
  ['\u0000a', false],
  ['a\u007f', false],
  ['a\u0085b', false], // C1 next line
  ['a\u2028b', false], // line separator
  ['\u00a0a', false], // no-break space
  ['\u0430', false], // Cyrillic a
  ['c\u0430t', false],
  ['\uff41', false], // fullwidth a
  ['\u212a', false], // Kelvin sign, looks like K
  ['\u0131', false], // dotless i
  ['\ud835\udc1a', false], // mathematical bold a (astral)
  ['a\ud800', false], // lone surrogate (sent as U+FFFD)
  ['a\uff0fb', false], // fullwidth solidus
  ['a\u2215b', false], // division slash
  ['a\u2044b', false], // fraction slash
  ['\u2024\u2024', false], // one dot leaders, look like ".."
  ['\uff0e\uff0e', false], // fullwidth full stops
  ['a\u200bb', false], // zero-width space
  ['a\u200db', false], // zero-width joiner
  ['\ufeffa', false], // byte-order mark
  ['a\u202eb', false], // right-to-left override
];


async function outcomeOf(call: Promise<unknown>): Promise<{ code: Status }> {
  try {
    await call;
    return { code: Status.OK };
  } catch (error) {
    if (error instanceof ClientError) return { code: error.code };
    throw error;
  }
}

function isIdentifier(value: unknown): boolean {
  return typeof value === 'string' && value.length <= maxIdentifierLength && identifierPattern.test(value);
}

describe('hostile input', { timeout: 60_000 }, () => {
  let h: DaemonHarness;
  let trouble: ProcessRecorder;
  let raw: GrpcClient;
  let health: ReturnType<typeof createClient<typeof HealthDefinition>>;

  before(async () => {
    trouble = recordProcessTrouble();
    h = await startTestDaemon();
    h.runtime
      .answer('waitForContainer', 'c1')
      .answer('waitForContainerStop', undefined)
      .answer('containerExists', true)
      .answer('containerUpperdir', '/upper')
      .answer('containerRootfs', '/rootfs')
      .answer('containerCGroupPath', '/kubepods/pod1/c1')
      .answer('containerPID', 42);
    raw = rawClient(h.daemon.address);
    health = createClient(HealthDefinition, h.channel);
  });

  after(async () => {
    raw?.close();
    await h?.close();
    trouble?.dispose();
  });

  /** After a barrage: a well-formed call works, the daemon is RUNNING, nothing went wrong in the process or the log. */
  async function assertStillServing(): Promise<void> {
    assert.equal(h.daemon.state, 'RUNNING');
    assert.deepEqual(await h.client.containerExists({ containerId: 'c1' }, { deadline: new Date(Date.now() + 2_000) }), { exists: true });
    assert.equal((await health.check({ service: '' })).status, 1 /* SERVING */);
    assert.deepEqual(trouble.uncaughtExceptions, []);
    assert.deepEqual(trouble.unhandledRejections, []);
    assert.deepEqual(trouble.warnings.map(String), []);
    assert.deepEqual(h.logs.filter((l) => (l.level as number) >= 40), []);
    // Whatever got through decoding, only identifiers reached the Runtime.
    const ids = h.runtime.calls.filter((c) => c.method !== 'errors').map((c) => c.args[0]);
    assert.deepEqual(ids.filter((id) => !isIdentifier(id)), []);
  }

  describe('malformed protobuf for every RPC', () => {
    for (const method of methods) {
      it(method.path, async () => {
        const prng = createPrng(seed ^ method.path.length);
        const payloads = hostilePayloads(prng, method.valid);
        const allowed = allowedCodes(method);
        const deadlineMs = method.shape === 'server-stream' ? 200 : 3_000;
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        // Small ones all at once; large ones (up to 5 MiB) one at a time,
        // within the HTTP/2 session's memory.
        const small = payloads.filter((p) => p.bytes.length <= largePayloadBytes);
        const outcomes = await Promise.all(small.map(async (p) => ({ p, o: await rawCall(raw, method, p.bytes, deadlineMs) })));
        for (const p of payloads.filter((p) => p.bytes.length > largePayloadBytes)) {
          outcomes.push({ p, o: await rawCall(raw, method, p.bytes, deadlineMs) });
        }
        loop.disable();

        const unexpected = outcomes.filter(({ o }) => !allowed.has(o.code)).map(({ p, o }) => `${p.name}: ${GrpcStatus[o.code]} ${o.details}`);
        assert.deepEqual(unexpected, []);
        assert.equal(outcomes.find(({ p }) => p.name === 'oversized: 4 MiB + 1')?.o.code, GrpcStatus.RESOURCE_EXHAUSTED);
        assert.equal(outcomes.find(({ p }) => p.name === 'length 2^31-1')?.o.code, GrpcStatus.INTERNAL);
        // No request may hold the event loop: every other caller waits meanwhile.
        const stalledMs = loop.max / 1e6;
        assert.ok(stalledMs < 1_000, `the event loop stalled for ${Math.round(stalledMs)} ms`);
        await assertStillServing();
      });
    }

    it('an unknown service or method is UNIMPLEMENTED, whatever the payload', async () => {
      const prng = createPrng(seed);
      const unknown: RawMethod = { path: '/wsruntime.v1.RuntimeService/NoSuchMethod', shape: 'unary', valid: Buffer.alloc(0) };
      const paths = [unknown.path, '/no.such.Service/Method', '/wsruntime.v1.RuntimeService/', '/'];
      const payloads = hostilePayloads(prng, unknown.valid).filter((p) => p.bytes.length <= largePayloadBytes);
      const outcomes = await Promise.all(
        paths.flatMap((path) => payloads.map(async (p) => ({ what: `${path} ${p.name}`, o: await rawCall(raw, { ...unknown, path }, p.bytes, 3_000) }))),
      );
      assert.deepEqual(outcomes.filter(({ o }) => o.code !== GrpcStatus.UNIMPLEMENTED).map(({ what, o }) => `${what}: ${GrpcStatus[o.code]}`), []);
      await assertStillServing();
    });
  });

  describe('bytes that are not gRPC', () => {
    it('garbage, a truncated preface, and a valid preface with junk frames, straight to the socket', async () => {
      const prng = createPrng(seed + 1);
      const settings = http2Frame(FrameType.settings, 0, 0);
      const afterPreface = (...frames: Buffer[]) => Buffer.concat([http2Preface, settings, ...frames]);
      const cases: Array<[string, Buffer]> = [
        ['HTTP/1.1', Buffer.from('POST /wsruntime.v1.RuntimeService/ContainerPID HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc')],
        ['TLS client hello', Buffer.from('16030100a5010000a10303', 'hex')],
        ['one NUL byte', Buffer.alloc(1)],
        ['truncated preface', http2Preface.subarray(0, 11)],
        ['preface, then random bytes', Buffer.concat([http2Preface, prng.bytes(256)])],
        ['a frame declaring 16 MiB', afterPreface(http2Frame(FrameType.data, 0, 1, Buffer.alloc(0), 0xffffff))],
        ['DATA on stream 0', afterPreface(http2Frame(FrameType.data, 0, 0, Buffer.from('x')))],
        ['HEADERS with garbage HPACK', afterPreface(http2Frame(FrameType.headers, 0x4, 1, prng.bytes(64)))],
        ['HEADERS without END_HEADERS, then nothing', afterPreface(http2Frame(FrameType.headers, 0, 1, prng.bytes(16)))],
        ['CONTINUATION alone', afterPreface(http2Frame(FrameType.continuation, 0x4, 1, prng.bytes(16)))],
        ['SETTINGS of a bad length', Buffer.concat([http2Preface, http2Frame(FrameType.settings, 0, 0, Buffer.alloc(5))])],
        ['WINDOW_UPDATE of 0', afterPreface(http2Frame(FrameType.windowUpdate, 0, 0, Buffer.alloc(4)))],
        ['RST_STREAM on an idle stream', afterPreface(http2Frame(FrameType.rstStream, 0, 7, Buffer.alloc(4)))],
        ['GOAWAY from the client', afterPreface(http2Frame(FrameType.goaway, 0, 0, Buffer.alloc(8)))],
        ['a PING flood', afterPreface(...Array.from({ length: 5_000 }, () => http2Frame(FrameType.ping, 0, 0, Buffer.alloc(8))))],
        ['a SETTINGS flood', afterPreface(...Array.from({ length: 5_000 }, () => settings))],
      ];
      for (let i = 0; i < 40; i++) cases.push([`random #${i}`, prng.bytes(1 + prng.int(4096))]);
      for (let i = 0; i < 20; i++) cases.push([`preface + random frame #${i}`, afterPreface(http2Frame(prng.int(12), prng.int(256), prng.int(8), prng.bytes(prng.int(64))))]);

      await Promise.all(cases.map(([, bytes]) => sendBytes(h.daemon.socketPath, bytes, 300)));
      await assertStillServing();
    });

    it('HTTP/2 requests that are not quite gRPC each get an answer or a reset', async () => {
      const session = connectHttp2(h.daemon.socketPath);
      const post = { ':method': 'POST', ':path': `${service}ContainerExists`, 'content-type': 'application/grpc', te: 'trailers' };
      const valid = grpcMessage(Buffer.from(ContainerExistsRequest.encode({ containerId: 'c1' }).finish()));
      const cases: Array<[string, Record<string, string>, Buffer | undefined]> = [
        ['the well-formed request', post, valid],
        ['content-type application/json', { ...post, 'content-type': 'application/json' }, valid],
        ['no content-type', { ':method': 'POST', ':path': post[':path'], te: 'trailers' }, valid],
        ['GET', { ...post, ':method': 'GET' }, undefined],
        ['a path without a slash', { ...post, ':path': 'ContainerExists' }, valid],
        ['no message at all', post, Buffer.alloc(0)],
        ['a truncated message prefix', post, valid.subarray(0, 3)],
        ['a prefix declaring more than is sent', post, grpcMessage(Buffer.from('x'), 0, 100)],
        ['a prefix declaring 4 GiB', post, grpcMessage(Buffer.alloc(0), 0, 0xffffffff)],
        ['two messages on a unary call', post, Buffer.concat([valid, valid])],
        ['compressed flag without grpc-encoding', post, grpcMessage(Buffer.from('x'), 1)],
        ['gzip that is not gzip', { ...post, 'grpc-encoding': 'gzip' }, grpcMessage(Buffer.from('not gzip'), 1)],
        ['deflate that is not deflate', { ...post, 'grpc-encoding': 'deflate' }, grpcMessage(Buffer.from('not deflate'), 1)],
        ['an unsupported grpc-encoding', { ...post, 'grpc-encoding': 'br' }, grpcMessage(Buffer.from('x'), 1)],
        ['compressed flag 0xff', post, grpcMessage(Buffer.from('x'), 0xff)],
        ['grpc-timeout garbage', { ...post, 'grpc-timeout': 'soon' }, valid],
        ['grpc-timeout 99999999H', { ...post, 'grpc-timeout': '99999999H' }, valid],
        ['grpc-timeout -1S', { ...post, 'grpc-timeout': '-1S' }, valid],
        ['-bin metadata that is not base64', { ...post, 'x-thing-bin': '!!!' }, valid],
        ['a 60 kB metadata value', { ...post, 'x-big': 'a'.repeat(60_000) }, valid],
        ['a status trailer sent by the client', { ...post, 'grpc-status-details-bin': 'AAAA', 'grpc-status': '5' }, valid],
      ];
      try {
        const outcomes = await Promise.all(cases.map(async ([name, headers, body]) => ({ name, o: await http2Request(session, headers, body, { waitMs: 2_000 }) })));
        const unanswered = outcomes.filter(({ o }) => o.timedOut || (o.httpStatus === undefined && o.reset === undefined)).map(({ name }) => name);
        assert.deepEqual(unanswered, []);
        assert.equal(outcomes[0]!.o.grpcStatus, GrpcStatus.OK);
      } finally {
        session.close();
      }
      await assertStillServing();
    });

    it('connections that never speak, or stop mid-request, leave the daemon serving', async () => {
      const idle = Array.from({ length: 50 }, () => net.connect(h.daemon.socketPath).on('error', () => {}));
      // Stalled after part of a preface, a whole one, or the first SETTINGS; and the same half-closed.
      const partial = [http2Preface.subarray(0, 7), http2Preface, Buffer.concat([http2Preface, http2Frame(FrameType.settings, 0, 0)])].flatMap((bytes) => {
        const stalled = net.connect(h.daemon.socketPath).on('error', () => {});
        stalled.write(bytes);
        return [stalled, net.connect(h.daemon.socketPath).on('error', () => {}).end(bytes)];
      });
      const session = connectHttp2(h.daemon.socketPath);
      const post = { ':method': 'POST', ':path': `${service}WaitForContainer`, 'content-type': 'application/grpc', te: 'trailers' };
      // A request whose body never ends: the handler cannot start, and must not be called.
      const halfOpen = http2Request(session, post, grpcMessage(stringField(1, 'ws1')), { end: false, waitMs: 500 });
      try {
        await Promise.all(Array.from({ length: 10 }, () => assertStillServing()));
        assert.equal((await halfOpen).timedOut, true);
      } finally {
        for (const socket of [...idle, ...partial]) socket.destroy();
        session.close();
      }
      await assertStillServing();
    });
  });

  describe('ids at the edge of validation', () => {
    for (const [rpc, field] of [
      ['containerExists', 'container_id'],
      ['waitForContainer', 'workspace_instance_id'],
    ] as const) {
      it(`${field} (${rpc})`, async () => {
        const problems: string[] = [];
        for (const [id, valid] of edgeIds) {
          const before = h.runtime.calls.length;
          let trailer: Metadata | undefined;
          const options = { deadline: new Date(Date.now() + 3_000), onTrailer: (t: Metadata) => (trailer = t) };
          const { code } = await outcomeOf(
            rpc === 'containerExists' ? h.client.containerExists({ containerId: id }, options) : h.client.waitForContainer({ workspaceInstanceId: id }, options),
          );
          const reached = h.runtime.calls.slice(before).map((c) => c.args[0]);
          const shown = JSON.stringify(id.length > 90 ? `${id.slice(0, 80)}…(${id.length})` : id);
          if (valid) {
            if (code !== Status.OK) problems.push(`${shown}: ${Status[code]}, expected OK`);
            if (reached.length !== 1 || reached[0] !== id) problems.push(`${shown}: the Runtime got ${JSON.stringify(reached)}`);
            continue;
          }
          if (code !== Status.INVALID_ARGUMENT) problems.push(`${shown}: ${Status[code]}, expected INVALID_ARGUMENT`);
          if (reached.length > 0) problems.push(`${shown}: reached the Runtime`);
          const details = trailer?.get('grpc-status-details-bin');
          const violation = details && decodeRpcStatus(details).details.find((d) => d.typeUrl.endsWith('google.rpc.BadRequest'));
          if (!violation || !Buffer.from(violation.value).includes(field)) problems.push(`${shown}: no BadRequest naming ${field}`);
        }
        assert.deepEqual(problems, []);
        await assertStillServing();
      });
    }
  });

  it('after all that, stops promptly and cleanly with stalled connections still open', async () => {
    const stalled = Array.from({ length: 20 }, (_, i) => {
      const socket = net.connect(h.daemon.socketPath).on('error', () => {});
      socket.write(http2Preface.subarray(0, i));
      return socket;
    });
    try {
      await assertStillServing();
      const started = Date.now();
      await h.daemon.stop();
      assert.ok(Date.now() - started < 1_000, `stop took ${Date.now() - started} ms`);
      assert.equal(h.daemon.state, 'STOPPED');
      assert.equal(existsSync(h.daemon.socketPath), false);
      assert.deepEqual(h.logs.filter((l) => (l.level as number) >= 40), []);
      assert.deepEqual([trouble.uncaughtExceptions, trouble.unhandledRejections, trouble.warnings], [[], [], []]);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });
});

// Where it matters that the real backend sees them: ids we let through go to
// containerd as they are (ContainerExists asks it directly), so containerd
// must never refuse one that our validation accepted.
describe('hostile input on the containerd backend', { timeout: 60_000 }, () => {
  let fx: StackDaemon;
  let channel: Channel;
  let client: TestClient;
  let trouble: ProcessRecorder;
  const runtimeErrors: string[] = [];
  const subscription = new AbortController();

  before(async () => {
    trouble = recordProcessTrouble();
    fx = await startStackDaemon();
    channel = createChannel(fx.daemon.address);
    client = createTestClient(channel);
    void (async () => {
      for await (const event of fx.runtime.errors(subscription.signal)) runtimeErrors.push(`${event.kind}: ${event.message}`);
    })().catch(() => {});
  });

  after(async () => {
    subscription.abort();
    channel?.close();
    await fx?.close();
    trouble?.dispose();
  });

  it('ids at the edge reach containerd when valid (not found there) and are refused before it otherwise', async () => {
    const problems: string[] = [];
    for (const [id, valid] of edgeIds) {
      const shown = JSON.stringify(id.length > 90 ? `${id.slice(0, 80)}…(${id.length})` : id);
      let exists: boolean | undefined;
      const { code } = await outcomeOf(
        client.containerExists({ containerId: id }, { deadline: new Date(Date.now() + 3_000) }).then((r) => void (exists = r.exists)),
      );
      if (valid && (code !== Status.OK || exists !== false)) problems.push(`${shown}: ${Status[code]} exists=${exists}, expected false`);
      if (!valid && code !== Status.INVALID_ARGUMENT) problems.push(`${shown}: ${Status[code]}, expected INVALID_ARGUMENT`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(runtimeErrors, []);
  });

  it('malformed protobuf for the container methods', async () => {
    const raw = rawClient(fx.daemon.address);
    try {
      const prng = createPrng(seed);
      const allowed = new Set([GrpcStatus.OK, GrpcStatus.INVALID_ARGUMENT, GrpcStatus.INTERNAL, GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.NOT_FOUND]);
      for (const method of methods.filter((m) => m.path.startsWith(`${service}Container`))) {
        const outcomes = await Promise.all(
          hostilePayloads(prng, method.valid)
            .filter((p) => p.bytes.length <= largePayloadBytes)
            .map(async (p) => ({ p, o: await rawCall(raw, method, p.bytes, 3_000) })),
        );
        const unexpected = outcomes.filter(({ o }) => !allowed.has(o.code)).map(({ p, o }) => `${method.path} ${p.name}: ${GrpcStatus[o.code]} ${o.details}`);
        assert.deepEqual(unexpected, []);
      }
    } finally {
      raw.close();
    }
    assert.equal(fx.daemon.state, 'RUNNING');
    assert.deepEqual(runtimeErrors, []);
    assert.deepEqual([trouble.uncaughtExceptions, trouble.unhandledRejections, trouble.warnings], [[], [], []]);
  });
});
