import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClientError, Status } from 'nice-grpc';
import { ContainerState } from '../../gen/runtime/v1/api.js';
import { isAlive } from '../../src/devstack/host-cleanup.js';
import { startStack, type TestStack } from '../support/stack.js';
import { cgroupPids, containerIds, containerRecord, exists, mountPoints, tasks } from './task-facts.js';

describe('test stack', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.close());

  it('runs a workspace pod the way kubelet does, and removes it', async () => {
    const pod = await stack.createWorkspacePod({ instanceId: 'smoke-1' });
    assert.equal(pod.podName, 'ws-smoke-1');
    assert.equal(pod.podNamespace, 'default');

    const status = await stack.kubelet.containerStatus(pod.containerId);
    assert.equal(status.state, ContainerState.CONTAINER_RUNNING);
    const task = (await tasks(stack)).get(pod.containerId);
    assert.equal(task?.status, 'RUNNING');

    const container = await containerRecord(stack, pod.containerId);
    assert.equal(container.Labels['io.cri-containerd.kind'], 'container');
    assert.equal(container.Labels['io.kubernetes.container.name'], 'workspace');
    assert.equal(container.Labels['io.kubernetes.pod.uid'], pod.podUid);
    assert.equal(container.Spec.annotations?.['io.kubernetes.cri.sandbox-id'], pod.sandboxId);
    const sandbox = await containerRecord(stack, pod.sandboxId);
    assert.equal(sandbox.Labels['io.cri-containerd.kind'], 'sandbox');
    assert.equal(sandbox.Labels['gitpod.io/instanceID'], 'smoke-1');
    assert.equal(sandbox.Labels['io.kubernetes.pod.name'], 'ws-smoke-1');

    const cgroupsPath = `/kubepods/besteffort/pod${pod.podUid}/${pod.containerId}`;
    assert.equal(container.Spec.linux?.cgroupsPath, cgroupsPath);
    assert.ok((await cgroupPids(cgroupsPath)).includes(task!.pid), `pid ${task!.pid} in ${cgroupsPath}`);
    const rootfs = `${stack.containerd.state}/io.containerd.runtime.v2.task/k8s.io/${pod.containerId}/rootfs`;
    assert.ok((await mountPoints()).includes(rootfs), 'rootfs is mounted');

    await stack.removeWorkspacePod(pod);

    const ids = await containerIds(stack);
    assert.ok(!ids.includes(pod.containerId) && !ids.includes(pod.sandboxId), 'containerd records are gone');
    assert.equal((await tasks(stack)).size, 0);
    assert.equal(await isAlive(task!.pid), false);
    assert.ok(!(await mountPoints()).includes(rootfs), 'rootfs is unmounted');
    assert.equal(await exists(`/sys/fs/cgroup/pids/kubepods/besteffort/pod${pod.podUid}`), false, 'pod cgroup is removed');
    await assert.rejects(stack.kubelet.containerStatus(pod.containerId), (e) => e instanceof ClientError && e.code === Status.NOT_FOUND);
  });

  it('honours the spec: label, names, command and start: false', async () => {
    const pod = await stack.createWorkspacePod({
      instanceId: 'spec-1',
      instanceLabel: 'workspaceID',
      podName: 'custom-pod',
      podNamespace: 'staging',
      podUid: '0c6cbd3e-8e0b-4b0c-9a43-2f7e0e7a6a11',
      containerName: 'ide',
      command: ['sh', '-c', 'exec sleep 1000'],
      start: false,
    });
    assert.deepEqual(
      { name: pod.podName, namespace: pod.podNamespace, uid: pod.podUid },
      { name: 'custom-pod', namespace: 'staging', uid: '0c6cbd3e-8e0b-4b0c-9a43-2f7e0e7a6a11' },
    );
    assert.equal((await stack.kubelet.containerStatus(pod.containerId)).state, ContainerState.CONTAINER_CREATED);
    assert.equal((await tasks(stack)).has(pod.containerId), false, 'no task before StartContainer');
    assert.equal((await containerRecord(stack, pod.sandboxId)).Labels.workspaceID, 'spec-1');
    assert.equal((await containerRecord(stack, pod.containerId)).Labels['io.kubernetes.container.name'], 'ide');

    await stack.startContainer(pod);
    assert.equal((await stack.kubelet.containerStatus(pod.containerId)).state, ContainerState.CONTAINER_RUNNING);
    await stack.removeWorkspacePod(pod);
  });

  it('removes only the container with removeContainer', async () => {
    const pod = await stack.createWorkspacePod({ instanceId: 'recreate-1' });
    await stack.removeContainer(pod);
    const running = await tasks(stack);
    assert.equal(running.has(pod.containerId), false);
    assert.equal(running.get(pod.sandboxId)?.status, 'RUNNING', 'the sandbox stays');
    await stack.removeContainer(pod); // gone already is fine
    await stack.removeWorkspacePod(pod);
    assert.equal((await tasks(stack)).size, 0);
  });

  it('recreates the container in the same pod, as kubelet restarts it', async () => {
    const pod = await stack.createWorkspacePod({ instanceId: 'restart-1' });
    await stack.removeContainer(pod);
    const again = await stack.recreateContainer(pod);
    assert.notEqual(again.containerId, pod.containerId);
    assert.equal(again.sandboxId, pod.sandboxId);
    const status = await stack.kubelet.containerStatus(again.containerId);
    assert.equal(status.state, ContainerState.CONTAINER_RUNNING);
    assert.deepEqual(status.metadata, { name: 'workspace', attempt: 1 });
    assert.equal((await containerRecord(stack, again.containerId)).Labels['io.kubernetes.container.name'], 'workspace');
    await stack.removeWorkspacePod(again);
    assert.equal((await tasks(stack)).size, 0);
  });

  it('keeps tasks running across a containerd SIGKILL and restart', async () => {
    const pod = await stack.createWorkspacePod({ instanceId: 'chaos-1' });
    const before = (await tasks(stack)).get(pod.containerId)!;
    const oldPid = stack.containerd.pid;

    await stack.containerd.kill('SIGKILL');
    assert.equal(stack.containerd.running, false);
    assert.equal(await isAlive(oldPid), false);
    assert.equal(await isAlive(before.pid), true, 'the task outlives containerd');

    await stack.containerd.restart();
    assert.notEqual(stack.containerd.pid, oldPid);
    assert.deepEqual((await tasks(stack)).get(pod.containerId), before);
    assert.equal((await stack.kubelet.containerStatus(pod.containerId)).state, ContainerState.CONTAINER_RUNNING);

    await stack.removeWorkspacePod(pod);
    assert.equal(await isAlive(before.pid), false);
  });
});
