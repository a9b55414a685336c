import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseMountInfo } from '../../src/containerd/mountinfo.js';
import { findRootfsMounts } from '../../src/containerd/rootfs.js';
import { upperdirOf } from '../../src/containerd/upperdir.js';

const mountinfo = [
  '22 1 0:21 / /run rw,nosuid - tmpfs tmpfs rw,mode=755',
  '301 22 0:50 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/rootfs rw,relatime - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/var/lib/s/11/fs,workdir=/var/lib/s/11/work',
  '302 22 0:51 / /mnt/node/run/containerd/io.containerd.runtime.v2.task/k8s.io/c2/rootfs rw,relatime shared:5 master:1 - overlay overlay rw,lowerdir=/l1,upperdir=/var/lib/s/12/fs,workdir=/var/lib/s/12/work',
  '303 22 0:52 / /run/with\\040space/k8s.io/c3/rootfs rw - overlay overlay rw,upperdir=/u3',
  '',
].join('\n');

describe('mounts', () => {
  it('parses mountinfo lines, optional fields and octal escapes included', () => {
    const mounts = parseMountInfo(mountinfo);
    assert.equal(mounts.length, 4);
    assert.equal(mounts[2]!.fsType, 'overlay');
    assert.ok(mounts[2]!.superOptions.includes('upperdir=/var/lib/s/12/fs'));
    assert.equal(mounts[3]!.mountPoint, '/run/with space/k8s.io/c3/rootfs');
  });

  it('takes the upperdir from the overlay mount only', () => {
    assert.equal(upperdirOf([{ type: 'overlay', source: 'overlay', target: '', options: ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l'] }]), '/u');
    assert.equal(upperdirOf([{ type: 'bind', source: '/x', target: '', options: ['rbind', 'upperdir=/u'] }]), undefined);
    assert.equal(upperdirOf([]), undefined);
  });

  it('finds rootfs mounts by bundle layout and upperdir, mapped back to node paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wsrt-mountinfo-'));
    try {
      const file = join(dir, 'mountinfo');
      await writeFile(file, mountinfo);
      const toNode = (p: string) => p.replace(/^\/mnt\/node/, '');
      const found = await findRootfsMounts(
        'k8s.io',
        [
          { containerId: 'c1', upperdir: '/var/lib/s/11/fs' },
          { containerId: 'c2', upperdir: '/var/lib/s/12/fs' },
          { containerId: 'c3', upperdir: '/not/its/upperdir' },
          { containerId: 'c4' },
        ],
        toNode,
        file,
      );
      assert.deepEqual(
        Object.fromEntries(found),
        {
          c1: '/run/containerd/io.containerd.runtime.v2.task/k8s.io/c1/rootfs',
          c2: '/run/containerd/io.containerd.runtime.v2.task/k8s.io/c2/rootfs',
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
