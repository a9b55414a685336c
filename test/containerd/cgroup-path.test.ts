import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoCGroupError } from '../../src/errors.js';
import { cgroupPath, expandSlice } from '../../src/containerd/cgroup-path.js';

const id = 'c0ffee';
const uid = '1f2e3d4c_5b6a_7980_a1b2_c3d4e5f60718';

describe('cgroupPath', () => {
  it('returns a cgroupfs path as it is', () => {
    assert.equal(cgroupPath(id, `/kubepods/besteffort/pod${uid}/${id}`), `/kubepods/besteffort/pod${uid}/${id}`);
    assert.equal(cgroupPath(id, `/kubepods/pod${uid}/${id}`), `/kubepods/pod${uid}/${id}`);
  });

  it('expands the systemd form for a BestEffort pod', () => {
    assert.equal(
      cgroupPath(id, `kubepods-besteffort-pod${uid}.slice:cri-containerd:${id}`),
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid}.slice/cri-containerd-${id}.scope`,
    );
  });

  it('expands the systemd form for a Burstable pod', () => {
    assert.equal(
      cgroupPath(id, `kubepods-burstable-pod${uid}.slice:cri-containerd:${id}`),
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid}.slice/cri-containerd-${id}.scope`,
    );
  });

  it('expands the systemd form for a Guaranteed pod (no QoS slice)', () => {
    assert.equal(cgroupPath(id, `kubepods-pod${uid}.slice:cri-containerd:${id}`), `/kubepods.slice/kubepods-pod${uid}.slice/cri-containerd-${id}.scope`);
  });

  it('uses runc defaults: system.slice for an empty slice, a slice-named unit as is, the root slice', () => {
    assert.equal(cgroupPath(id, `:cri-containerd:${id}`), `/system.slice/cri-containerd-${id}.scope`);
    assert.equal(cgroupPath(id, 'kubepods.slice:cri-containerd:inner.slice'), '/kubepods.slice/inner.slice');
    assert.equal(cgroupPath(id, `-.slice:cri-containerd:${id}`), `/cri-containerd-${id}.scope`);
  });

  it('throws NoCGroupError for an empty path and for a systemd form systemd would refuse', () => {
    for (const bad of ['', 'kubepods--x.slice:p:id', 'kubepods:p:id', 'a.slice:p:', 'a:b', 'a.slice/b.slice:p:id']) {
      assert.throws(() => cgroupPath(id, bad), (e: unknown) => e instanceof NoCGroupError && e.containerId === id, bad);
    }
  });
});

describe('expandSlice', () => {
  it('nests every dash-separated prefix as a parent slice', () => {
    assert.equal(expandSlice('a-b-c.slice'), '/a.slice/a-b.slice/a-b-c.slice');
    assert.equal(expandSlice('a.slice'), '/a.slice');
    assert.equal(expandSlice('-.slice'), '/');
    assert.equal(expandSlice('-a.slice'), undefined);
    assert.equal(expandSlice('a-.slice'), undefined);
    assert.equal(expandSlice('a'), undefined);
  });
});
