import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Status } from 'nice-grpc';
import { RichClientError, type BadRequest } from 'nice-grpc-error-details';
import { identifierProblem } from '../../src/server/validation.js';
import { startTestDaemon, type DaemonHarness, type TestClient } from '../support/daemon-harness.js';

// Every RPC that takes an id, how to call it with one, and the field it names.
const rpcs: Array<{ name: string; field: string; call: (client: TestClient, id: string) => Promise<unknown> }> = [
  { name: 'WaitForContainer', field: 'workspace_instance_id', call: (c, id) => c.waitForContainer({ workspaceInstanceId: id }) },
  { name: 'WaitForContainerStop', field: 'workspace_instance_id', call: (c, id) => c.waitForContainerStop({ workspaceInstanceId: id }) },
  { name: 'ContainerExists', field: 'container_id', call: (c, id) => c.containerExists({ containerId: id }) },
  { name: 'ContainerUpperdir', field: 'container_id', call: (c, id) => c.containerUpperdir({ containerId: id }) },
  { name: 'ContainerRootfs', field: 'container_id', call: (c, id) => c.containerRootfs({ containerId: id, unmapped: true }) },
  { name: 'ContainerCGroupPath', field: 'container_id', call: (c, id) => c.containerCGroupPath({ containerId: id }) },
  { name: 'ContainerPID', field: 'container_id', call: (c, id) => c.containerPID({ containerId: id }) },
];

const badIds: Array<{ id: string; why: RegExp }> = [
  { id: '', why: /must not be empty/ },
  { id: 'a'.repeat(77), why: /too long \(77 > 76/ },
  { id: 'ab\u0007c', why: /control character \(U\+0007 at index 2\)/ },
  { id: '../x', why: /path-like/ },
  { id: 'a/b', why: /path-like/ },
  { id: 'a..b', why: /bad characters/ },
  { id: '-a', why: /bad characters/ },
  { id: 'a b', why: /bad characters/ },
];

describe('request validation', () => {
  let h: DaemonHarness;
  before(async () => {
    h = await startTestDaemon();
    h.runtime
      .answer('waitForContainer', 'c1')
      .answer('waitForContainerStop', undefined)
      .answer('containerExists', true)
      .answer('containerUpperdir', '/u')
      .answer('containerRootfs', '/r')
      .answer('containerCGroupPath', '/cg')
      .answer('containerPID', 42);
  });
  after(() => h.close());

  for (const rpc of rpcs) {
    for (const bad of badIds) {
      it(`${rpc.name} refuses ${JSON.stringify(bad.id.length > 20 ? `${bad.id.slice(0, 5)}…(${bad.id.length})` : bad.id)}`, async () => {
        const callsBefore = h.runtime.calls.length;
        const error = await rpc.call(h.client, bad.id).then(
          () => assert.fail('expected INVALID_ARGUMENT'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof RichClientError, `expected a RichClientError, got ${String(error)}`);
        assert.equal(error.code, Status.INVALID_ARGUMENT);
        const badRequest = error.extra.find((d): d is BadRequest & { $type: 'google.rpc.BadRequest' } => d.$type === 'google.rpc.BadRequest');
        assert.ok(badRequest, 'a google.rpc.BadRequest detail');
        assert.equal(badRequest.fieldViolations.length, 1);
        assert.equal(badRequest.fieldViolations[0]!.field, rpc.field);
        assert.match(badRequest.fieldViolations[0]!.description, bad.why);
        assert.equal(h.runtime.calls.length, callsBefore, 'the Runtime was not called');
      });
    }

    it(`${rpc.name} passes a 76-character id through to the Runtime`, async () => {
      const id = `${'a'.repeat(37)}.${'b'.repeat(19)}_c-${'d'.repeat(16)}`;
      assert.equal(id.length, 76);
      await rpc.call(h.client, id);
      assert.equal(h.runtime.calls.at(-1)!.args[0], id);
    });
  }
});

describe('identifierProblem', () => {
  it('accepts containerd identifiers', () => {
    for (const id of ['a', 'A1', 'k8s.io', 'a_b-c.d', '0123456789abcdef'.repeat(4)]) assert.equal(identifierProblem(id), undefined, id);
  });

  it('names each kind of problem', () => {
    assert.match(identifierProblem('')!, /empty/);
    assert.match(identifierProblem('x'.repeat(100))!, /too long \(100 > 76/);
    assert.match(identifierProblem('a\nb')!, /U\+000A/);
    assert.match(identifierProblem('a\u0085b')!, /U\+0085/);
    assert.match(identifierProblem('..')!, /path-like/);
    assert.match(identifierProblem('a\\b')!, /path-like/);
    assert.match(identifierProblem('a-')!, /bad characters/);
    assert.match(identifierProblem('ä')!, /bad characters/);
  });
});
