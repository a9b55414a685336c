// A kubelet-like CRI client: makes pods the way kubelet makes them on this
// kind of node (cgroupfs driver, BestEffort QoS, host network), so containerd
// writes the same records, labels, annotations and cgroup paths it would in
// a cluster. Two deviations are forced by the dev stack (see
// /work/shared/notes/containerd-here.md): pods use the node's network
// namespace because there is no CNI, and so carry no hostname.

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Status, ClientError } from 'nice-grpc';
import {
  ContainerStatus,
  NamespaceMode,
  NamespaceOption,
  PodSandboxConfig,
  ContainerConfig,
} from '../../gen/runtime/v1/api.js';
import { withCri } from './cri-client.js';
import { removeCgroup } from './host-cleanup.js';

export const busyboxImageRef = 'example.local/busybox:latest';

export interface PodSpec {
  name: string;
  namespace: string;
  uid: string;
  /** The pod's own labels; kubelet's io.kubernetes.pod.* labels are added. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  attempt?: number;
}

export interface ContainerSpec {
  name: string;
  /** Default example.local/busybox:latest. */
  image?: string;
  command?: string[];
  args?: string[];
  labels?: Record<string, string>;
  attempt?: number;
}

/** A pod sandbox and the config it was made from (CreateContainer needs it again). */
export interface Sandbox {
  id: string;
  config: PodSandboxConfig;
}

const noSignal = new AbortController().signal;

/** The cgroupfs parent kubelet gives a BestEffort pod. */
export function podCgroupParent(uid: string): string {
  return `/kubepods/besteffort/pod${uid}`;
}

// kubelet's defaults for a v1 pod with hostNetwork: true.
function namespaceOptions(): NamespaceOption {
  return NamespaceOption.fromPartial({
    network: NamespaceMode.NODE,
    pid: NamespaceMode.CONTAINER,
    ipc: NamespaceMode.POD,
  });
}

function isNotFound(e: unknown): boolean {
  return e instanceof ClientError && e.code === Status.NOT_FOUND;
}

export class Kubelet {
  /**
   * @param address containerd's socket
   * @param logRoot where pod log directories go (kubelet: /var/log/pods)
   */
  constructor(
    readonly address: string,
    readonly logRoot: string,
  ) {}

  async version(signal: AbortSignal = noSignal): Promise<{ runtimeName: string; runtimeVersion: string }> {
    return withCri(this.address, (cri) => cri.runtime.version({ version: 'v1' }, { signal }));
  }

  async runPodSandbox(pod: PodSpec, signal: AbortSignal = noSignal): Promise<Sandbox> {
    const logDirectory = join(this.logRoot, `${pod.namespace}_${pod.name}_${pod.uid}`);
    await mkdir(logDirectory, { recursive: true });
    const config = PodSandboxConfig.fromPartial({
      metadata: { name: pod.name, uid: pod.uid, namespace: pod.namespace, attempt: pod.attempt ?? 0 },
      logDirectory,
      labels: {
        ...pod.labels,
        'io.kubernetes.pod.name': pod.name,
        'io.kubernetes.pod.namespace': pod.namespace,
        'io.kubernetes.pod.uid': pod.uid,
      },
      annotations: { ...pod.annotations },
      linux: {
        cgroupParent: podCgroupParent(pod.uid),
        securityContext: { namespaceOptions: namespaceOptions() },
      },
    });
    const { podSandboxId } = await withCri(this.address, (cri) => cri.runtime.runPodSandbox({ config }, { signal }));
    return { id: podSandboxId, config };
  }

  async createContainer(sandbox: Sandbox, spec: ContainerSpec, signal: AbortSignal = noSignal): Promise<string> {
    const attempt = spec.attempt ?? 0;
    const meta = sandbox.config.metadata!;
    // kubelet creates <log dir>/<container>/ and CRI writes <attempt>.log into it.
    await mkdir(join(sandbox.config.logDirectory, spec.name), { recursive: true });
    const config = ContainerConfig.fromPartial({
      metadata: { name: spec.name, attempt },
      image: { image: spec.image ?? busyboxImageRef },
      command: spec.command ?? [],
      args: spec.args ?? [],
      labels: {
        ...spec.labels,
        'io.kubernetes.container.name': spec.name,
        'io.kubernetes.pod.name': meta.name,
        'io.kubernetes.pod.namespace': meta.namespace,
        'io.kubernetes.pod.uid': meta.uid,
      },
      logPath: `${spec.name}/${attempt}.log`,
      linux: {
        // What kubelet sets for a BestEffort container.
        resources: { cpuShares: 2, oomScoreAdj: 1000 },
        securityContext: { namespaceOptions: namespaceOptions() },
      },
    });
    const { containerId } = await withCri(this.address, (cri) =>
      cri.runtime.createContainer({ podSandboxId: sandbox.id, config, sandboxConfig: sandbox.config }, { signal }),
    );
    return containerId;
  }

  async startContainer(containerId: string, signal: AbortSignal = noSignal): Promise<void> {
    await withCri(this.address, (cri) => cri.runtime.startContainer({ containerId }, { signal }));
  }

  async containerStatus(containerId: string, signal: AbortSignal = noSignal): Promise<ContainerStatus> {
    const { status } = await withCri(this.address, (cri) => cri.runtime.containerStatus({ containerId }, { signal }));
    return status!;
  }

  /** StopContainer (no grace period: a shell as pid 1 ignores SIGTERM) and RemoveContainer; gone already is fine. */
  async removeContainer(containerId: string, signal: AbortSignal = noSignal): Promise<void> {
    await withCri(this.address, async (cri) => {
      await cri.runtime.stopContainer({ containerId, timeout: 0 }, { signal });
      await cri.runtime.removeContainer({ containerId }, { signal });
    }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  }

  /**
   * StopPodSandbox and RemovePodSandbox (which removes the pod's containers
   * too), then what kubelet cleans up itself: the pod cgroup and log directory.
   */
  async removePodSandbox(sandboxId: string, signal: AbortSignal = noSignal): Promise<void> {
    await withCri(this.address, async (cri) => {
      let status;
      try {
        ({ status } = await cri.runtime.podSandboxStatus({ podSandboxId: sandboxId }, { signal }));
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      await cri.runtime.stopPodSandbox({ podSandboxId: sandboxId }, { signal });
      await cri.runtime.removePodSandbox({ podSandboxId: sandboxId }, { signal });
      const meta = status?.metadata;
      if (meta) {
        // runc creates the pod cgroup on demand but, like containerd, never
        // removes it: kubelet does, so ours must too. Shared parents
        // (kubepods/besteffort) stay: another stack may be using them.
        await removeCgroup(podCgroupParent(meta.uid));
        await rm(join(this.logRoot, `${meta.namespace}_${meta.name}_${meta.uid}`), { recursive: true, force: true });
      }
    });
  }

  /** Removes every pod sandbox containerd's CRI plugin knows. */
  async removeAllPods(signal: AbortSignal = noSignal): Promise<void> {
    const { items } = await withCri(this.address, (cri) => cri.runtime.listPodSandbox({}, { signal }));
    for (const pod of items) await this.removePodSandbox(pod.id, signal);
  }
}
