// ContainerdRuntime end to end, in process, against a private containerd
// with workspace pods made through CRI the way kubelet makes them.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { delay, isAbortError } from 'abort-controller-x';
import { pino } from 'pino';
import { ContainerdRuntime } from '../../src/containerd/containerd-runtime.js';
import type { Backoff } from '../../src/containerd/event-pump.js';
import type { PathMapping } from '../../src/containerd/path-mapper.js';
import { ContainerNotFoundError, PathNotMappedError, RuntimeUnavailableError } from '../../src/errors.js';
import type { RuntimeErrorEvent } from '../../src/runtime.js';
import { ctr, startStack, type TestStack } from '../support/stack.js';

const silent = pino({ level: 'silent' });
const never = new AbortController().signal;
let instanceCounter = 0;
const newInstanceId = (prefix = 'inst') => `${prefix}-${process.pid}-${++instanceCounter}`;

function newRuntime(address: string, pathMappings: PathMapping[] = [], backoff?: Backoff): ContainerdRuntime {
  return new ContainerdRuntime({
    address,
    namespace: 'k8s.io',
    pathMappings,
    instanceLabels: ['gitpod.io/instanceID', 'workspaceID'],
    workspaceContainer: 'workspace',
    logger: silent,
    backoff,
  });
}

/** Resolves once `ready` equals `want`, from the runtime's own notification. */
function untilReady(runtime: ContainerdRuntime, want = true): Promise<void> {
  if (runtime.ready === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = runtime.onReadyChange((ready) => {
      if (ready !== want) return;
      off();
      resolve();
    });
  });
}

/** Whether `p` is still pending after everything already due has run. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return !done;
}

/** The pid ctr shows for a task. */
async function ctrTaskPid(stack: TestStack, containerId: string): Promise<number> {
  const out = await ctr(stack, 'task', 'ls');
  const line = out.split('\n').find((l) => l.startsWith(`${containerId} `));
  assert.ok(line, `ctr task ls shows ${containerId}:\n${out}`);
  return Number(line.trim().split(/\s+/)[1]);
}

const isNotFound = (e: unknown) => e instanceof ContainerNotFoundError;
const isUnavailable = (e: unknown) => e instanceof RuntimeUnavailableError;

describe('ContainerdRuntime against a real containerd', { timeout: 180_000 }, () => {
  let stack: TestStack;
  let runtime: ContainerdRuntime;
  const extraRuntimes: ContainerdRuntime[] = [];
  const tempDirs: string[] = [];

  before(async () => {
    stack = await startStack();
    runtime = newRuntime(stack.containerd.address);
    runtime.start();
    await untilReady(runtime);
  });

  after(async () => {
    for (const r of [runtime, ...extraRuntimes]) await r?.close();
    await stack?.close();
    for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  });

  it('answers every method for a running workspace', async (t: TestContext) => {
    const instanceId = newInstanceId();
    const before = runtime.waitForContainer(instanceId, never);
    const pod = await stack.createWorkspacePod({ instanceId });
    const id = pod.containerId;
    assert.equal(await before, id);
    assert.equal(await runtime.waitForContainer(instanceId, never), id, 'a wait started afterwards resolves at once');
    assert.equal(await runtime.containerExists(id, never), true);

    const pid = await runtime.containerPID(id, never);
    assert.equal(pid, await ctrTaskPid(stack, id));

    const cgroup = await runtime.containerCGroupPath(id, never);
    assert.equal(cgroup, `/kubepods/besteffort/pod${pod.podUid}/${id}`);
    const procs = (await readFile(`/sys/fs/cgroup/pids${cgroup}/cgroup.procs`, 'utf8')).split('\n');
    assert.ok(procs.includes(String(pid)), `pid ${pid} is in the cgroup ${cgroup}`);

    const rootfs = await runtime.containerRootfs(id, { unmapped: true }, never);
    assert.equal(rootfs, join(stack.containerd.state, 'io.containerd.runtime.v2.task', 'k8s.io', id, 'rootfs'));
    assert.equal(await runtime.containerRootfs(id, {}, never), rootfs, 'no mappings: node paths as they are');
    // The container's own view of / is that mount.
    assert.equal((await readFile(`/proc/${pid}/root/bin/busybox`)).length, (await readFile(join(rootfs, 'bin/busybox'))).length);

    const upperdir = await runtime.containerUpperdir(id, never);
    assert.ok(upperdir.startsWith(join(stack.containerd.root, 'io.containerd.snapshotter.v1.overlayfs')), upperdir);
    await writeFile(join(rootfs, 'written-through-rootfs'), 'hello');
    assert.equal(await readFile(join(upperdir, 'written-through-rootfs'), 'utf8'), 'hello');

    const stop = runtime.waitForContainerStop(instanceId, never);
    assert.ok(await pending(stop), 'the stop wait waits while the container exists');
    await stack.removeWorkspacePod(pod);
    await stop;
    await assert.rejects(runtime.containerPID(id, never), isNotFound);
    assert.equal(await runtime.containerExists(id, never), false);
    await runtime.waitForContainerStop(instanceId, never);
    t.diagnostic(`stats after one workspace: ${JSON.stringify(runtime.stats())}`);
  });

  it('resolves WaitForContainer when the task is created, not when the container is', async (t: TestContext) => {
    const instanceId = newInstanceId();
    const pod = await stack.createWorkspacePod({ instanceId, start: false });
    const wait = runtime.waitForContainer(instanceId, never);
    let resolvedAt = 0;
    void wait.then(() => (resolvedAt = performance.now()));
    assert.ok(await pending(wait), 'a created container without a task is not enough');
    await assert.rejects(runtime.containerPID(pod.containerId, never), isNotFound);
    const startedAt = performance.now();
    await stack.startContainer(pod);
    const returnedAt = performance.now();
    assert.equal(await wait, pod.containerId);
    t.diagnostic(
      `CRI StartContainer took ${(returnedAt - startedAt).toFixed(1)} ms; WaitForContainer resolved ${(resolvedAt - startedAt).toFixed(1)} ms after it was called`,
    );
    await stack.removeWorkspacePod(pod);
  });

  it('reports unknown ids as not found, and knows containers it does not index', async () => {
    for (const call of [
      () => runtime.containerPID('unknown', never),
      () => runtime.containerCGroupPath('unknown', never),
      () => runtime.containerRootfs('unknown', {}, never),
      () => runtime.containerRootfs('unknown', { unmapped: true }, never),
      () => runtime.containerUpperdir('unknown', never),
    ]) {
      await assert.rejects(call(), isNotFound);
    }
    assert.equal(await runtime.containerExists('unknown', never), false);
    await runtime.waitForContainerStop('unknown-instance', never);

    const pod = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    // The pod sandbox is a container, but not a workspace container.
    assert.equal(await runtime.containerExists(pod.sandboxId, never), true);
    await assert.rejects(runtime.containerPID(pod.sandboxId, never), isNotFound);
    await stack.removeWorkspacePod(pod);
  });

  it('tells two workspaces apart', async () => {
    const [a, b] = [newInstanceId(), newInstanceId()];
    const waits = [runtime.waitForContainer(a, never), runtime.waitForContainer(b, never)];
    const pods = await Promise.all([stack.createWorkspacePod({ instanceId: a }), stack.createWorkspacePod({ instanceId: b })]);
    assert.deepEqual(await Promise.all(waits), pods.map((p) => p.containerId));
    const pids = await Promise.all(pods.map((p) => runtime.containerPID(p.containerId, never)));
    assert.notEqual(pids[0], pids[1]);
    const stopA = runtime.waitForContainerStop(a, never);
    const stopB = runtime.waitForContainerStop(b, never);
    await stack.removeWorkspacePod(pods[0]!);
    await stopA;
    assert.ok(await pending(stopB), 'removing one workspace does not stop the other');
    assert.equal(await runtime.containerPID(pods[1]!.containerId, never), pids[1]);
    await stack.removeWorkspacePod(pods[1]!);
    await stopB;
  });

  it('recognises the older manager\'s workspaceID label', async () => {
    const instanceId = newInstanceId('old');
    const wait = runtime.waitForContainer(instanceId, never);
    const pod = await stack.createWorkspacePod({ instanceId, instanceLabel: 'workspaceID' });
    assert.equal(await wait, pod.containerId);
    await stack.removeWorkspacePod(pod);
  });

  it('ignores containers of other names and pods without an instance label', async () => {
    const instanceId = newInstanceId();
    const sidecar = await stack.createWorkspacePod({ instanceId, containerName: 'sidecar' });
    const unlabelled = await stack.createWorkspacePod({ instanceId: newInstanceId(), instanceLabel: 'some.other/label' });
    const wait = runtime.waitForContainer(instanceId, never);
    assert.ok(await pending(wait));
    await assert.rejects(runtime.containerPID(sidecar.containerId, never), isNotFound);
    await assert.rejects(runtime.containerPID(unlabelled.containerId, never), isNotFound);
    const controller = new AbortController();
    const aborted = runtime.waitForContainer(instanceId, controller.signal);
    controller.abort();
    await assert.rejects(aborted, isAbortError);
    await stack.removeWorkspacePod(sidecar);
    await stack.removeWorkspacePod(unlabelled);
  });

  it('follows a pod re-created under the same instance id, and a restarted container', async () => {
    const instanceId = newInstanceId();
    const first = await stack.createWorkspacePod({ instanceId });
    assert.equal(await runtime.waitForContainer(instanceId, never), first.containerId);

    const second = await stack.createWorkspacePod({ instanceId, podName: `${first.podName}-again` });
    assert.equal(await runtime.waitForContainer(instanceId, never), second.containerId);
    const stop = runtime.waitForContainerStop(instanceId, never);
    await stack.removeWorkspacePod(first);
    assert.ok(await pending(stop), 'the instance still has a workspace container');
    assert.equal(await runtime.waitForContainer(instanceId, never), second.containerId);

    // kubelet restarting the container: a new container in the same pod.
    const restarted = await stack.recreateContainer(second);
    assert.notEqual(restarted.containerId, second.containerId);
    assert.equal(await runtime.waitForContainer(instanceId, never), restarted.containerId);
    assert.equal(await runtime.containerPID(restarted.containerId, never), await ctrTaskPid(stack, restarted.containerId));
    await stack.removeWorkspacePod(restarted);
    await stack.removeContainer(second).catch(() => undefined);
    await stop;
  });

  it('waits for the re-created pod\'s own container while the old pod\'s container still runs', async () => {
    const instanceId = newInstanceId();
    const first = await stack.createWorkspacePod({ instanceId });
    assert.equal(await runtime.waitForContainer(instanceId, never), first.containerId);

    // A new pod for the same instance, its sandbox only so far (kubelet pulls the image meanwhile).
    const startsBefore = runtime.stats().eventsHandled['/tasks/start'] ?? 0;
    const uid = randomUUID();
    const sandbox = await stack.kubelet.runPodSandbox({ name: `${first.podName}-again`, namespace: 'default', uid, labels: { 'gitpod.io/instanceID': instanceId } });
    try {
      // The sandbox's task start is its last event; by then its record is in the index.
      while ((runtime.stats().eventsHandled['/tasks/start'] ?? 0) <= startsBefore) await delay(never, 5);
      const wait = runtime.waitForContainer(instanceId, never);
      assert.ok(await pending(wait), 'not answered with the old pod\'s container');
      const containerId = await stack.kubelet.createContainer(sandbox, { name: 'workspace', command: ['sleep', '2147483647'] });
      await stack.kubelet.startContainer(containerId);
      assert.equal(await wait, containerId);
      assert.equal(await runtime.containerPID(first.containerId, never), await ctrTaskPid(stack, first.containerId), 'the old container is still answered by id');
    } finally {
      await stack.kubelet.removePodSandbox(sandbox.id);
      await stack.removeWorkspacePod(first);
    }
    await runtime.waitForContainerStop(instanceId, never);
  });

  it('rebuilds everything when restarted: a workspace created while down is found, one removed counts as stopped', async () => {
    const gone = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    const kept = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    assert.equal(await runtime.waitForContainer(kept.instanceId, never), kept.containerId);
    const keptRootfs = await runtime.containerRootfs(kept.containerId, { unmapped: true }, never);
    const keptUpperdir = await runtime.containerUpperdir(kept.containerId, never);
    await runtime.close();

    await stack.removeWorkspacePod(gone);
    const created = await stack.createWorkspacePod({ instanceId: newInstanceId() });

    runtime = newRuntime(stack.containerd.address);
    runtime.start();
    // Waits made before the first listing settle from it.
    const stopGone = runtime.waitForContainerStop(gone.instanceId, never);
    const waitCreated = runtime.waitForContainer(created.instanceId, never);
    await untilReady(runtime);
    await stopGone;
    assert.equal(await waitCreated, created.containerId);
    // Tasks found by listing: rootfs from the mount table, upperdir from the snapshotter.
    assert.equal(await runtime.containerRootfs(kept.containerId, { unmapped: true }, never), keptRootfs);
    assert.equal(await runtime.containerUpperdir(kept.containerId, never), keptUpperdir);
    assert.equal(await runtime.containerPID(created.containerId, never), await ctrTaskPid(stack, created.containerId));
    await stack.removeWorkspacePod(kept);
    await stack.removeWorkspacePod(created);
  });

  it('translates paths through --path-mapping, for listed and for new tasks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wsrt-mapped-'));
    tempDirs.push(dir);
    // The caller's view of the node's directories (a pod mounts them elsewhere).
    await symlink(stack.containerd.state, join(dir, 'state'));
    await symlink(join(stack.containerd.root, 'io.containerd.snapshotter.v1.overlayfs'), join(dir, 'root'));
    const listed = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    const mapped = newRuntime(stack.containerd.address, [
      { from: stack.containerd.state, to: join(dir, 'state') },
      { from: join(stack.containerd.root, 'io.containerd.snapshotter.v1.overlayfs'), to: join(dir, 'root') },
    ]);
    extraRuntimes.push(mapped);
    mapped.start();
    await untilReady(mapped);
    const fresh = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    assert.equal(await mapped.waitForContainer(fresh.instanceId, never), fresh.containerId);
    for (const pod of [listed, fresh]) {
      const id = pod.containerId;
      const nodeRootfs = await mapped.containerRootfs(id, { unmapped: true }, never);
      assert.equal(await mapped.containerRootfs(id, {}, never), join(dir, 'state', nodeRootfs.slice(stack.containerd.state.length)));
      const upperdir = await mapped.containerUpperdir(id, never);
      assert.ok(upperdir.startsWith(join(dir, 'root', 'snapshots')), upperdir);
    }
    await stack.removeWorkspacePod(listed);
    await assert.rejects(mapped.containerRootfs(listed.containerId, {}, never), isNotFound);
    await stack.removeWorkspacePod(fresh);
  });

  it('reports PathNotMapped for a node path no mapping covers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wsrt-narrow-'));
    tempDirs.push(dir);
    const pod = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    const narrow = newRuntime(stack.containerd.address, [{ from: '/nowhere', to: dir }]);
    extraRuntimes.push(narrow);
    narrow.start();
    await untilReady(narrow);
    await assert.rejects(narrow.containerRootfs(pod.containerId, {}, never), (e: unknown) => e instanceof PathNotMappedError && e.containerId === pod.containerId);
    await assert.rejects(narrow.containerUpperdir(pod.containerId, never), PathNotMappedError);
    await narrow.close();
    await stack.removeWorkspacePod(pod);
  });

  it('survives containerd being SIGKILLed and restarted: waits pending, workspaces answered, errors reported', async (t: TestContext) => {
    const running = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    assert.equal(await runtime.waitForContainer(running.instanceId, never), running.containerId);
    const pid = await runtime.containerPID(running.containerId, never);
    const statsBefore = runtime.stats();

    const subscription = new AbortController();
    const errors = runtime.errors(subscription.signal)[Symbol.asyncIterator]();
    const laterInstance = newInstanceId();
    const waitLater = runtime.waitForContainer(laterInstance, never);
    const stopRunning = runtime.waitForContainerStop(running.instanceId, never);

    await stack.containerd.kill('SIGKILL');
    const first = await errors.next();
    assert.equal(first.done, false);
    const outage: RuntimeErrorEvent = first.value;
    assert.ok(['event-stream', 'connection'].includes(outage.kind), outage.kind);
    await untilReady(runtime, false);
    await assert.rejects(runtime.containerPID(running.containerId, never), isUnavailable);
    await assert.rejects(runtime.containerExists(running.containerId, never), isUnavailable);
    assert.ok(await pending(waitLater));
    assert.ok(await pending(stopRunning), 'an outage does not count as stopped');

    const restartAt = performance.now();
    await stack.containerd.restart();
    const upAt = performance.now();
    await untilReady(runtime);
    const readyAt = performance.now();
    t.diagnostic(`containerd restart took ${(upAt - restartAt).toFixed(0)} ms; the runtime was in sync ${(readyAt - upAt).toFixed(0)} ms after containerd answered`);

    assert.equal(await runtime.containerPID(running.containerId, never), pid, 'the workspace survived, and is answered');
    assert.equal(await runtime.containerExists(running.containerId, never), true);
    const later = await stack.createWorkspacePod({ instanceId: laterInstance });
    assert.equal(await waitLater, later.containerId);
    await stack.removeWorkspacePod(running);
    await stopRunning;

    const statsAfter = runtime.stats();
    assert.equal(statsAfter.reconnects, statsBefore.reconnects + 1);
    assert.ok(statsAfter.resyncs > statsBefore.resyncs);
    assert.equal(statsAfter.errorsSubscribers, 1);
    subscription.abort();
    await assert.rejects(errors.next(), isAbortError);
    assert.equal(runtime.stats().errorsSubscribers, 0);
    await stack.removeWorkspacePod(later);
  });

  it('wakes a stop wait pending across an outage when the workspace went away before the runtime reconnected', async () => {
    // A backoff long enough that containerd is back, and the pod removed, before the runtime looks again.
    const slow = newRuntime(stack.containerd.address, [], { initialMs: 3_000, maxMs: 3_000 });
    extraRuntimes.push(slow);
    slow.start();
    await untilReady(slow);
    const [gone, kept] = await Promise.all([stack.createWorkspacePod({ instanceId: newInstanceId() }), stack.createWorkspacePod({ instanceId: newInstanceId() })]);
    assert.equal(await slow.waitForContainer(gone.instanceId, never), gone.containerId);
    assert.equal(await slow.waitForContainer(kept.instanceId, never), kept.containerId);
    const stopGone = slow.waitForContainerStop(gone.instanceId, never);
    const stopKept = slow.waitForContainerStop(kept.instanceId, never);

    await stack.containerd.kill('SIGKILL');
    await untilReady(slow, false);
    await stack.containerd.restart();
    await stack.removeWorkspacePod(gone);
    assert.equal(slow.ready, false, 'the pod was removed while the runtime was away');
    assert.ok(await pending(stopGone));

    await untilReady(slow);
    await stopGone;
    assert.ok(await pending(stopKept), 'a workspace that survived is not stopped');
    assert.equal(await slow.containerPID(kept.containerId, never), await ctrTaskPid(stack, kept.containerId));
    await stack.removeWorkspacePod(kept);
    await stopKept;
    await slow.close();
  });

  it('publishes losing containerd once, however many ContainerExists calls were in flight', async () => {
    // One session failure, then a backoff longer than the test: the pump reports exactly once.
    const slow = newRuntime(stack.containerd.address, [], { initialMs: 10_000, maxMs: 10_000 });
    extraRuntimes.push(slow);
    slow.start();
    await untilReady(slow);
    const subscription = new AbortController();
    const reports: RuntimeErrorEvent[] = [];
    const reading = (async () => {
      for await (const report of slow.errors(subscription.signal)) reports.push(report);
    })().catch((e: unknown) => assert.ok(isAbortError(e), String(e)));

    let inFlightFailures = 0;
    const callers = Array.from({ length: 10 }, async () => {
      while (slow.ready) {
        try {
          await slow.containerExists('some-id', new AbortController().signal);
        } catch (e) {
          assert.ok(isUnavailable(e), String(e));
          if ((e as Error).message.startsWith('cannot ask containerd')) inFlightFailures++;
        }
      }
    });
    await delay(never, 50);
    try {
      await stack.containerd.kill('SIGKILL');
      await Promise.all(callers);
      await delay(never, 100);
      assert.ok(inFlightFailures > 0, 'some calls were in flight when containerd went away');
      assert.equal(reports.length, 1, reports.map((r) => `${r.kind}: ${r.message}`).join('\n'));
      assert.equal(reports[0]!.kind, 'event-stream');
    } finally {
      subscription.abort();
      await reading;
      await slow.close();
      await stack.containerd.restart();
    }
  });
});

describe('ContainerdRuntime when containerd refuses one workspace\'s snapshot', { timeout: 120_000 }, () => {
  let stack: TestStack | undefined;
  let runtime: ContainerdRuntime | undefined;

  after(async () => {
    await runtime?.close();
    await stack?.close();
  });

  it('still gets in sync, answers the other workspaces and reports that one', async () => {
    stack = await startStack();
    const healthy = await stack.createWorkspacePod({ instanceId: newInstanceId() });
    // A workspace whose container lives on the `native` snapshotter: a pod
    // whose CRI container is not the workspace one, and a workspace container
    // made with ctr, joined to the pod by kubelet's pod labels.
    const odd = await stack.createWorkspacePod({ instanceId: newInstanceId(), containerName: 'sidecar', start: false });
    const oddId = `odd-${randomUUID().slice(0, 8)}`;
    await ctr(stack, 'run', '-d', '--snapshotter', 'native',
      '--label', 'io.cri-containerd.kind=container',
      '--label', 'io.kubernetes.container.name=workspace',
      '--label', `io.kubernetes.pod.name=${odd.podName}`,
      '--label', `io.kubernetes.pod.namespace=${odd.podNamespace}`,
      '--label', `io.kubernetes.pod.uid=${odd.podUid}`,
      'example.local/busybox:latest', oddId, 'sleep', '2147483647');

    // containerd comes back without the native snapshotter: the odd task
    // lives on in its shim, but Snapshots.Mounts for it is refused.
    await stack.containerd.kill('SIGKILL');
    const config = await readFile(stack.containerd.configPath, 'utf8');
    await writeFile(stack.containerd.configPath, config.replace('disabled_plugins = [', 'disabled_plugins = [\n  "io.containerd.snapshotter.v1.native",'));
    await stack.containerd.restart();

    runtime = newRuntime(stack.containerd.address);
    const errors: RuntimeErrorEvent[] = [];
    const abort = new AbortController();
    const collecting = (async () => {
      for await (const e of runtime!.errors(abort.signal)) errors.push(e);
    })().catch(() => undefined);
    runtime.start();
    await untilReady(runtime);

    assert.equal(await runtime.waitForContainer(healthy.instanceId, never), healthy.containerId);
    assert.ok((await runtime.containerUpperdir(healthy.containerId, never)).length > 0);
    assert.equal(await runtime.waitForContainer(odd.instanceId, never), oddId);
    assert.ok((await runtime.containerPID(oddId, never)) > 0);
    await assert.rejects(runtime.containerUpperdir(oddId, never), isNotFound);
    const reported = errors.filter((e) => e.kind === 'sync' && e.message.includes(oddId));
    assert.equal(reported.length, 1, JSON.stringify(errors));
    abort.abort();
    await collecting;
  });
});

describe('ContainerdRuntime without a containerd', () => {
  it('keeps trying, answers UNAVAILABLE, reports every failed attempt, and ends waits and subscribers on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wsrt-nocontainerd-'));
    const runtime = newRuntime(join(dir, 'containerd.sock'));
    try {
      const errors = runtime.errors(never)[Symbol.asyncIterator]();
      runtime.start();
      const attempts = [await errors.next(), await errors.next()];
      for (const attempt of attempts) assert.equal(attempt.value?.kind, 'connection');
      assert.equal(runtime.ready, false);
      assert.equal(runtime.stats().connected, false);
      await assert.rejects(runtime.containerExists('c1', never), isUnavailable);
      await assert.rejects(runtime.containerPID('c1', never), isUnavailable);
      // Without a listing the instance is not known to be gone.
      const stop = runtime.waitForContainerStop('i1', never);
      const wait = runtime.waitForContainer('i1', never);
      assert.ok(await pending(stop));
      assert.equal(runtime.stats().pendingWaits, 2);

      await runtime.close();
      await assert.rejects(stop, isAbortError);
      await assert.rejects(wait, isAbortError);
      await assert.rejects(errors.next(), isUnavailable);
      await assert.rejects(runtime.waitForContainer('i1', never), isAbortError);
    } finally {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
