// The N workspace pods the daemon tracks while it is measured, made through
// CRI as kubelet makes them (the test stack's kubelet), a few at a time.

import { throwIfAborted } from 'abort-controller-x';
import type { RuntimeClient } from '../src/client/index.js';
import type { TestStack, WorkspacePod } from '../test/support/stack.js';

// containerd serialises much of a pod's setup; more than a few at once only
// queues up inside it.
const parallelPods = 4;

/** Pods whose removal is left to stack.close(), which removes every pod. */
export async function createWorkspacePods(stack: TestStack, count: number, signal: AbortSignal): Promise<WorkspacePod[]> {
  const pods: WorkspacePod[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      throwIfAborted(signal);
      const instanceId = `bench-${next++}`;
      pods.push(await stack.createWorkspacePod({ instanceId }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelPods, count) }, worker));
  return pods.sort((a, b) => a.instanceId.localeCompare(b.instanceId, 'en', { numeric: true }));
}

/** Resolves once the daemon behind `client` has every pod's workspace container in its index. */
export async function waitUntilTracked(client: RuntimeClient, pods: readonly WorkspacePod[], signal: AbortSignal): Promise<void> {
  await Promise.all(
    pods.map(async (pod) => {
      const found = await client.waitForContainer(pod.instanceId, { signal, deadline: 30_000 });
      if (found !== pod.containerId) throw new Error(`the daemon at ${client.address} found ${found} for ${pod.instanceId}, CRI made ${pod.containerId}`);
    }),
  );
}
