// What a tool without wsruntimed does: ask containerd itself on every
// request. The pid from Tasks.Get; the cgroup path from Containers.Get and a
// JSON.parse of the whole OCI spec. Same containerd client and namespace
// middleware as the daemon, so only the way of asking differs.

import { cgroupPath } from '../src/containerd/cgroup-path.js';
import { createContainerdClient } from '../src/containerd/containerd-client.js';

export interface NaiveContainerdTool {
  containerPID(containerId: string, signal: AbortSignal): Promise<number>;
  containerCGroupPath(containerId: string, signal: AbortSignal): Promise<string>;
  close(): void;
}

export function createNaiveContainerdTool(address: string, namespace: string): NaiveContainerdTool {
  const containerd = createContainerdClient(address, namespace);
  return {
    async containerPID(containerId, signal) {
      const { process } = await containerd.tasks.get({ containerId }, { signal });
      if (!process || process.pid === 0) throw new Error(`containerd reports no task for ${containerId}`);
      return process.pid;
    },
    async containerCGroupPath(containerId, signal) {
      const { container } = await containerd.containers.get({ id: containerId }, { signal });
      const spec = JSON.parse(Buffer.from(container?.spec?.value ?? []).toString('utf8')) as { linux?: { cgroupsPath?: string } };
      return cgroupPath(containerId, spec.linux?.cgroupsPath ?? '');
    },
    close() {
      containerd.close();
    },
  };
}
