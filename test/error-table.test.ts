// The one error table, checked on the wire: each Runtime error a handler
// meets reaches the client as its status code plus typed detail (decoded by
// hand from grpc-status-details-bin), and fromClientError turns it back into
// the same typed error.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientError, createClient, Metadata, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { BadRequest, ErrorInfo, RichClientError } from 'nice-grpc-error-details';
import { ContainerNotFound, NoCGroup, NoUpperdir, PathNotMapped } from '../gen/wsruntime/v1/runtime.js';
import { fromClientError, toServerError } from '../src/error-table.js';
import {
  ContainerNotFoundError,
  InvalidArgumentError,
  NoCGroupError,
  NoUpperdirError,
  PathNotMappedError,
  RuntimeUnavailableError,
  SubscriberOverflowError,
} from '../src/errors.js';
import { startTestDaemon, type DaemonHarness } from './support/daemon-harness.js';
import { decodeRpcStatus, type RpcStatus } from './support/rpc-status.js';

const typeUrl = (name: string) => `type.googleapis.com/${name}`;

describe('error table on the wire', () => {
  let h: DaemonHarness;
  before(async () => {
    h = await startTestDaemon();
  });
  after(() => h.close());

  /** Makes containerPID fail with `error`; returns the client's error and the decoded trailer. */
  async function failWith(error: unknown): Promise<{ error: unknown; status: RpcStatus | undefined }> {
    h.runtime.fail('containerPID', error);
    let trailer: Metadata | undefined;
    const options = { deadline: new Date(Date.now() + 3_000), onTrailer: (t: Metadata) => (trailer = t) };
    const caught = await h.client.containerPID({ containerId: 'c1' }, options).then(
      () => assert.fail('expected the call to fail'),
      (e: unknown) => e,
    );
    const bin = trailer?.get('grpc-status-details-bin');
    return { error: caught, status: bin === undefined ? undefined : decodeRpcStatus(bin) };
  }

  const sentinels = [
    {
      name: 'ContainerNotFoundError (container id)',
      error: new ContainerNotFoundError({ containerId: 'c1' }),
      code: Status.NOT_FOUND,
      type: 'wsruntime.v1.ContainerNotFound',
      decode: (v: Uint8Array) => ContainerNotFound.decode(v),
      detail: { containerId: 'c1', workspaceInstanceId: '' },
    },
    {
      name: 'ContainerNotFoundError (workspace instance id)',
      error: new ContainerNotFoundError({ workspaceInstanceId: 'ws1' }),
      code: Status.NOT_FOUND,
      type: 'wsruntime.v1.ContainerNotFound',
      decode: (v: Uint8Array) => ContainerNotFound.decode(v),
      detail: { containerId: '', workspaceInstanceId: 'ws1' },
    },
    {
      name: 'NoUpperdirError',
      error: new NoUpperdirError('c1'),
      code: Status.FAILED_PRECONDITION,
      type: 'wsruntime.v1.NoUpperdir',
      decode: (v: Uint8Array) => NoUpperdir.decode(v),
      detail: { containerId: 'c1' },
    },
    {
      name: 'NoCGroupError',
      error: new NoCGroupError('c1'),
      code: Status.FAILED_PRECONDITION,
      type: 'wsruntime.v1.NoCGroup',
      decode: (v: Uint8Array) => NoCGroup.decode(v),
      detail: { containerId: 'c1' },
    },
    {
      name: 'PathNotMappedError',
      error: new PathNotMappedError({ containerId: 'c1', nodePath: '/var/lib/x', reason: 'no mapping covers it' }),
      code: Status.FAILED_PRECONDITION,
      type: 'wsruntime.v1.PathNotMapped',
      decode: (v: Uint8Array) => PathNotMapped.decode(v),
      detail: { containerId: 'c1', nodePath: '/var/lib/x', reason: 'no mapping covers it' },
    },
    {
      name: 'InvalidArgumentError',
      error: new InvalidArgumentError([{ field: 'container_id', description: 'must not be empty' }]),
      code: Status.INVALID_ARGUMENT,
      type: 'google.rpc.BadRequest',
      decode: (v: Uint8Array) => {
        const { fieldViolations } = BadRequest.decode(v);
        return { fieldViolations: fieldViolations.map(({ field, description }) => ({ field, description })) };
      },
      detail: { fieldViolations: [{ field: 'container_id', description: 'must not be empty' }] },
    },
    {
      name: 'SubscriberOverflowError',
      error: new SubscriberOverflowError(8),
      code: Status.RESOURCE_EXHAUSTED,
      type: 'google.rpc.ErrorInfo',
      decode: (v: Uint8Array) => {
        const { reason, domain, metadata } = ErrorInfo.decode(v);
        return { reason, domain, metadata };
      },
      detail: { reason: 'SUBSCRIBER_OVERFLOW', domain: 'wsruntime.v1', metadata: { capacity: '8' } },
    },
  ];

  for (const s of sentinels) {
    it(`${s.name} → ${Status[s.code]} + ${s.type}`, async () => {
      const { error, status } = await failWith(s.error);
      assert.ok(error instanceof ClientError);
      assert.equal(error.code, s.code);
      assert.ok(status, 'a grpc-status-details-bin trailer');
      assert.equal(status.code, s.code);
      assert.equal(status.message, s.error.message);
      assert.deepEqual(
        status.details.map((d) => d.typeUrl),
        [typeUrl(s.type)],
      );
      assert.deepEqual(s.decode(status.details[0]!.value), s.detail);

      const typed = fromClientError(error);
      assert.ok(typed instanceof (s.error.constructor as new (...args: never[]) => Error), `got ${String(typed)}`);
      assert.equal((typed as Error).message, s.error.message);
      assert.deepEqual({ ...(typed as object) }, { ...s.error });
      assert.equal((typed as Error).cause, error);
    });
  }

  it('RuntimeUnavailableError → UNAVAILABLE, back as RuntimeUnavailableError', async () => {
    const { error, status } = await failWith(new RuntimeUnavailableError('containerd is not reachable'));
    assert.ok(error instanceof ClientError);
    assert.equal(error.code, Status.UNAVAILABLE);
    assert.equal(status?.code, Status.UNAVAILABLE);
    assert.deepEqual(status?.details, []);
    const typed = fromClientError(error);
    assert.ok(typed instanceof RuntimeUnavailableError);
    assert.equal(typed.message, 'containerd is not reachable');
  });

  it('a message too long for an HTTP/2 header block is cut, and the connection keeps working', async () => {
    // Sent whole, a status message over ~64 KiB made grpc-js give up on the
    // trailers half-way: the call and every later call on the connection hung.
    const { error, status } = await failWith(new RuntimeUnavailableError(`containerd said: ${'x'.repeat(200_000)}`));
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.code, Status.UNAVAILABLE);
    assert.ok(error.details.length < 4_096, `details of ${error.details.length} characters`);
    assert.match(error.details, /^containerd said: xxx+… \(200017 characters in all\)$/);
    assert.equal(status?.message, error.details);
    h.runtime.answer('containerPID', 7);
    assert.deepEqual(await h.client.containerPID({ containerId: 'c1' }, { deadline: new Date(Date.now() + 3_000) }), { pid: 7 });
  });

  it('a health check naming a 3 MiB service is refused with a short message', async () => {
    const health = createClient(HealthDefinition, h.channel);
    const error = await health.check({ service: 's'.repeat(3 << 20) }, { signal: AbortSignal.timeout(3_000) }).then(
      () => assert.fail('expected NOT_FOUND'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ClientError, String(error));
    assert.equal(error.code, Status.NOT_FOUND);
    assert.ok(error.details.length < 4_096);
    assert.equal((await health.check({ service: '' })).status, 1 /* SERVING */);
  });

  it('an unexpected error → UNKNOWN without details or internals, logged once under the id the caller sees', async () => {
    const before = h.logs.length;
    const secret = new TypeError("Cannot read properties of undefined (reading 'mounts') at /var/lib/containerd/secret");
    const { error, status } = await failWith(secret);
    assert.ok(error instanceof ClientError);
    assert.ok(!(error instanceof RichClientError));
    assert.equal(error.code, Status.UNKNOWN);
    assert.doesNotMatch(error.details, /mounts|secret|containerd|TypeError/);
    const incident = /incident ([0-9a-f]{8})/.exec(error.details)?.[1];
    assert.ok(incident, `no incident id in ${JSON.stringify(error.details)}`);
    assert.equal(status, undefined);
    assert.equal(fromClientError(error), error);
    const logged = h.logs.slice(before).filter((l) => l.level as number >= 40);
    assert.equal(logged.length, 1, 'logged once');
    assert.equal(logged[0]!.msg, 'unexpected error in a handler');
    assert.equal(logged[0]!.method, '/wsruntime.v1.RuntimeService/ContainerPID');
    assert.equal(logged[0]!.incident, incident);
    assert.equal(logged[0]!.level, 50);
    assert.match(String((logged[0]!.err as { message?: string }).message), /reading 'mounts'/);
  });
});

describe('error table in memory', () => {
  it('leaves AbortErrors and unknown errors to nice-grpc', () => {
    const abort = new DOMException('aborted', 'AbortError');
    assert.equal(toServerError(abort), abort);
    const plain = new Error('x');
    assert.equal(toServerError(plain), plain);
  });

  it('keeps ClientErrors without a typed meaning as they are', () => {
    const error = new ClientError('/p', Status.INTERNAL, 'boom');
    assert.equal(fromClientError(error), error);
    const notClient = new Error('x');
    assert.equal(fromClientError(notClient), notClient);
  });

  it('ignores details of foreign types', () => {
    const error = new RichClientError('/p', Status.NOT_FOUND, 'gone', [
      { $type: 'google.protobuf.Any', typeUrl: typeUrl('other.v1.Thing'), value: new Uint8Array() },
    ]);
    assert.equal(fromClientError(error), error);
  });
});
