// The e2e fixture: a private containerd with the dev images, and workspace
// pods made through CRI the way kubelet makes them.
//
//   let stack: TestStack;
//   before(async () => { stack = await startStack(); });
//   after(() => stack?.close());
//
// or, for one test: `await withStack(t, async (stack) => { ... })`.
// Set WSRUNTIME_KEEP_STACK=1 to keep the stack's dir (containerd.log, pod
// logs) after close; processes and mounts are cleaned up regardless.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ctr as ctrAt } from '../../src/devstack/ctr.js';
import { startDevContainerd } from '../../src/devstack/dev-containerd.js';
import { Kubelet, type ContainerSpec, type Sandbox } from '../../src/devstack/kubelet.js';
import type { PrivateContainerd } from '../../src/devstack/private-containerd.js';

export type { PrivateContainerd };

export interface WorkspacePodSpec {
  /** Workspace instance id, put in the pod label below. */
  instanceId: string;
  /** Default 'gitpod.io/instanceID'. */
  instanceLabel?: string;
  /** Default `ws-${instanceId}`. */
  podName?: string;
  /** Default 'default'. */
  podNamespace?: string;
  /** Default a random uuid. */
  podUid?: string;
  /** Default 'workspace'. */
  containerName?: string;
  /** Default ['sleep', '2147483647']. */
  command?: string[];
  /** Default true: StartContainer after CreateContainer. */
  start?: boolean;
}

export interface WorkspacePod {
  instanceId: string;
  podName: string;
  podNamespace: string;
  podUid: string;
  sandboxId: string;
  containerId: string;
}

export interface TestStack {
  /** Temp dir of this stack. */
  dir: string;
  containerd: PrivateContainerd;
  namespace: 'k8s.io';
  kubelet: Kubelet;
  createWorkspacePod(spec: WorkspacePodSpec): Promise<WorkspacePod>;
  /** StartContainer, for pods created with start: false. */
  startContainer(pod: WorkspacePod): Promise<void>;
  /** StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox. */
  removeWorkspacePod(pod: WorkspacePod): Promise<void>;
  /** Only the container (to test restarts and re-creation). */
  removeContainer(pod: WorkspacePod): Promise<void>;
  /**
   * What kubelet does when a container restarts: a new container (next
   * attempt, same name and command) in the same pod, started. The old one is
   * left as it is; remove it first with removeContainer if you like.
   */
  recreateContainer(pod: WorkspacePod): Promise<WorkspacePod>;
  /** Removes all pods, stops containerd, cleans up. Safe to call twice. */
  close(): Promise<void>;
}

/** A private containerd up, with example.local/busybox:latest and example.local/pause:latest imported. */
export async function startStack(): Promise<TestStack> {
  const containerd = await startDevContainerd();
  const kubelet = new Kubelet(containerd.address, join(containerd.dir, 'pods'));
  // Per sandbox: its config and the last container made in it.
  const pods = new Map<string, { sandbox: Sandbox; container: ContainerSpec }>();
  let closing: Promise<void> | undefined;

  return {
    dir: containerd.dir,
    containerd,
    namespace: 'k8s.io',
    kubelet,

    async createWorkspacePod(spec) {
      const podName = spec.podName ?? `ws-${spec.instanceId}`;
      const podNamespace = spec.podNamespace ?? 'default';
      const podUid = spec.podUid ?? randomUUID();
      const sandbox = await kubelet.runPodSandbox({
        name: podName,
        namespace: podNamespace,
        uid: podUid,
        labels: { [spec.instanceLabel ?? 'gitpod.io/instanceID']: spec.instanceId },
      });
      const container = { name: spec.containerName ?? 'workspace', command: spec.command ?? ['sleep', '2147483647'], attempt: 0 };
      pods.set(sandbox.id, { sandbox, container });
      const containerId = await kubelet.createContainer(sandbox, container);
      if (spec.start ?? true) await kubelet.startContainer(containerId);
      return { instanceId: spec.instanceId, podName, podNamespace, podUid, sandboxId: sandbox.id, containerId };
    },

    async startContainer(pod) {
      await kubelet.startContainer(pod.containerId);
    },

    async removeWorkspacePod(pod) {
      await kubelet.removeContainer(pod.containerId);
      await kubelet.removePodSandbox(pod.sandboxId);
      pods.delete(pod.sandboxId);
    },

    async removeContainer(pod) {
      await kubelet.removeContainer(pod.containerId);
    },

    async recreateContainer(pod) {
      const made = pods.get(pod.sandboxId);
      if (!made) throw new Error(`pod sandbox ${pod.sandboxId} was not made by this stack or is removed`);
      made.container = { ...made.container, attempt: (made.container.attempt ?? 0) + 1 };
      const containerId = await kubelet.createContainer(made.sandbox, made.container);
      await kubelet.startContainer(containerId);
      return { ...pod, containerId };
    },

    close() {
      closing ??= containerd.stop({ keepDir: process.env.WSRUNTIME_KEEP_STACK === '1' });
      return closing;
    },
  };
}

/**
 * Runs fn with a fresh stack and closes it afterwards. With a test context,
 * a failure also prints the tail of containerd's log as a test diagnostic.
 */
export async function withStack<T>(t: TestContext | undefined, fn: (stack: TestStack) => Promise<T>): Promise<T> {
  const stack = await startStack();
  try {
    return await fn(stack);
  } catch (e) {
    t?.diagnostic(`containerd log (${stack.containerd.logPath}):\n${await stack.containerd.logTail()}`);
    throw e;
  } finally {
    await stack.close();
  }
}

/** `ctr -a <stack socket> -n k8s.io ...args`, resolving to stdout. */
export function ctr(stack: TestStack, ...args: string[]): Promise<string> {
  return ctrAt(stack.containerd.address, args, { namespace: stack.namespace });
}
