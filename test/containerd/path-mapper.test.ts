import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PathNotMappedError } from '../../src/errors.js';
import { PathMapper } from '../../src/containerd/path-mapper.js';

describe('PathMapper', () => {
  let dir: string;
  let state: string; // TO of /run/containerd
  let tasks: string; // TO of the longer /run/containerd/io.containerd.runtime.v2.task
  let mapper: PathMapper;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wsrt-mapper-'));
    state = join(dir, 'state');
    tasks = join(dir, 'tasks');
    await mkdir(join(tasks, 'k8s.io', 'c1', 'rootfs'), { recursive: true });
    await mkdir(join(state, 'other'), { recursive: true });
    await mkdir(join(dir, 'outside'));
    await writeFile(join(dir, 'outside', 'secret'), 'x');
    await symlink(join(dir, 'outside'), join(state, 'escape'));
    await symlink(join(state, 'other'), join(state, 'inner'));
    mapper = new PathMapper([
      { from: '/run/containerd', to: state },
      { from: '/run/containerd/io.containerd.runtime.v2.task', to: tasks },
    ]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const rejectsWith = (nodePath: string, reason: RegExp) =>
    assert.rejects(mapper.toCaller('c1', nodePath), (e: unknown) => {
      assert.ok(e instanceof PathNotMappedError, String(e));
      assert.equal(e.containerId, 'c1');
      assert.equal(e.nodePath, nodePath);
      assert.match(e.reason, reason);
      return true;
    });

  it('uses the longest matching prefix', async () => {
    assert.equal(await mapper.toCaller('c1', '/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/rootfs'), join(tasks, 'k8s.io/c1/rootfs'));
    assert.equal(await mapper.toCaller('c1', '/run/containerd/other'), join(state, 'other'));
    assert.equal(await mapper.toCaller('c1', '/run/containerd'), state);
  });

  it('matches on path-component boundaries only', async () => {
    await rejectsWith('/run/containerdX/other', /no --path-mapping covers it/);
    await rejectsWith('/run/container', /no --path-mapping covers it/);
  });

  it('resolves .. before matching, and refuses what then falls outside every mapping', async () => {
    assert.equal(await mapper.toCaller('c1', '/run/containerd/io.containerd.runtime.v2.task/../other'), join(state, 'other'));
    await rejectsWith('/run/containerd/../../etc/passwd', /no --path-mapping covers it/);
  });

  it('refuses a path that a symlink leads out of the mapping target', async () => {
    await rejectsWith('/run/containerd/escape/secret', /outside the mapping target/);
  });

  it('accepts a symlink that stays inside the target, returning the path as mapped', async () => {
    assert.equal(await mapper.toCaller('c1', '/run/containerd/inner'), join(state, 'inner'));
  });

  it('refuses a path that does not exist under the target', async () => {
    await rejectsWith('/run/containerd/missing', /does not exist/);
  });

  it('refuses a relative path', async () => {
    await rejectsWith('run/containerd/other', /not an absolute path/);
  });

  it('returns node paths as they are when no mappings are configured', async () => {
    const identity = new PathMapper([]);
    assert.equal(await identity.toCaller('c1', '/does/not/exist'), '/does/not/exist');
    assert.equal(identity.toNode('/x/y'), '/x/y');
  });

  it('maps back to node paths by the longest target', () => {
    assert.equal(mapper.toNode(join(tasks, 'k8s.io/c1/rootfs')), '/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/rootfs');
    assert.equal(mapper.toNode(join(state, 'x')), '/run/containerd/x');
    assert.equal(mapper.toNode('/elsewhere'), '/elsewhere');
  });
});
