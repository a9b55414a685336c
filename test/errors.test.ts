import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ContainerNotFoundError,
  InvalidArgumentError,
  NoCGroupError,
  NoUpperdirError,
  PathNotMappedError,
  RuntimeUnavailableError,
  SubscriberOverflowError,
  WsRuntimeError,
} from '../src/errors.js';

describe('errors', () => {
  const all = [
    new ContainerNotFoundError({ containerId: 'c1' }),
    new NoUpperdirError('c1'),
    new NoCGroupError('c1'),
    new PathNotMappedError({ containerId: 'c1', nodePath: '/n', reason: 'r' }),
    new RuntimeUnavailableError('down'),
    new InvalidArgumentError([{ field: 'container_id', description: 'must not be empty' }]),
    new SubscriberOverflowError(4),
  ];

  it('are WsRuntimeErrors and Errors, each only of its own class', () => {
    for (const error of all) {
      assert.ok(error instanceof Error);
      assert.ok(error instanceof WsRuntimeError);
      for (const other of all) assert.equal(error instanceof (other.constructor as typeof WsRuntimeError), error === other || error.constructor === other.constructor);
    }
    assert.ok(!(new Error('x') instanceof WsRuntimeError));
    assert.ok(!((null as unknown) instanceof WsRuntimeError));
  });

  it('name themselves and say what went wrong', () => {
    assert.deepEqual(
      all.map((e) => [e.name, e.message]),
      [
        ['ContainerNotFoundError', 'container "c1" not found'],
        ['NoUpperdirError', 'container "c1" has no upperdir available'],
        ['NoCGroupError', 'container "c1" has no cgroup available'],
        ['PathNotMappedError', 'path "/n" of container "c1" cannot be mapped: r'],
        ['RuntimeUnavailableError', 'down'],
        ['InvalidArgumentError', 'invalid argument: container_id: must not be empty'],
        ['SubscriberOverflowError', 'errors subscriber fell behind by more than 4 errors and was dropped'],
      ],
    );
    assert.equal(new ContainerNotFoundError({ workspaceInstanceId: 'ws1' }).message, 'workspace container of instance "ws1" not found');
  });

  it('are recognised across copies of the module (branded, like nice-grpc errors)', async () => {
    // A query string makes the loader evaluate a second, separate copy.
    const copy = (await import(`../src/errors.js?copy=${Date.now()}`)) as typeof import('../src/errors.js');
    assert.notEqual(copy.ContainerNotFoundError, ContainerNotFoundError);
    const foreign = new copy.ContainerNotFoundError({ containerId: 'c1' });
    assert.ok(foreign instanceof ContainerNotFoundError);
    assert.ok(foreign instanceof WsRuntimeError);
    assert.ok(!(foreign instanceof NoUpperdirError));
    assert.ok(new NoCGroupError('c') instanceof copy.NoCGroupError);
  });
});
