// What wsruntime reads from a containerd container record: CRI's labels say
// whether it is a pod sandbox or a container (and which pod), the OCI spec
// (JSON in an Any) gives the sandbox it runs in and its cgroup path.

import type { Container } from '../../gen/containerd/services/containers/v1/containers.js';

// Set by containerd's CRI plugin.
const criKindLabel = 'io.cri-containerd.kind';
const sandboxIdAnnotation = 'io.kubernetes.cri.sandbox-id';
// Set by kubelet.
const containerNameLabel = 'io.kubernetes.container.name';
const podNameLabel = 'io.kubernetes.pod.name';
const podNamespaceLabel = 'io.kubernetes.pod.namespace';
const podUidLabel = 'io.kubernetes.pod.uid';

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

export interface SandboxRecord {
  kind: 'sandbox';
  id: string;
  instanceId: string;
  pod: PodRef;
  /** ms since the epoch; orders pods re-created under one instance id. */
  createdAt: number;
}

export interface WorkspaceContainerRecord {
  kind: 'container';
  id: string;
  /** From the spec annotation; absent for runtimes that do not set it. */
  sandboxId?: string;
  pod: PodRef;
  /** linux.cgroupsPath of the spec, '' when unset. */
  cgroupsPath: string;
  snapshotter: string;
  snapshotKey: string;
  /** ms since the epoch; orders re-created containers of one workspace. */
  createdAt: number;
}

export type WorkspaceRecord = SandboxRecord | WorkspaceContainerRecord;

export interface WorkspaceSelector {
  /** Sandbox labels holding the instance id, tried in order. */
  instanceLabels: readonly string[];
  /** io.kubernetes.container.name of the workspace container. */
  workspaceContainer: string;
}

/** The spec of a record could not be decoded; the record is not trusted. */
export class SpecDecodeError extends Error {
  constructor(containerId: string, cause: unknown) {
    super(`container ${containerId}: cannot decode its OCI spec: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SpecDecodeError';
  }
}

/**
 * containerd filters (ORed) that List only what classifyRecord keeps:
 * sandboxes carrying an instance label, and containers with the workspace
 * container's name.
 */
export function workspaceListFilters(selector: WorkspaceSelector): string[] {
  const label = (key: string) => `labels.${JSON.stringify(key)}`;
  return [
    ...selector.instanceLabels.map((key) => `${label(criKindLabel)}==sandbox,${label(key)}`),
    `${label(criKindLabel)}==container,${label(containerNameLabel)}==${JSON.stringify(selector.workspaceContainer)}`,
  ];
}

function podOf(labels: Record<string, string>): PodRef {
  return { name: labels[podNameLabel] ?? '', namespace: labels[podNamespaceLabel] ?? '', uid: labels[podUidLabel] ?? '' };
}

interface SpecFields {
  annotations?: Record<string, unknown>;
  linux?: { cgroupsPath?: unknown };
}

function decodeSpec(container: Container): SpecFields {
  if (!container.spec || container.spec.value.length === 0) return {};
  try {
    const spec: unknown = JSON.parse(Buffer.from(container.spec.value).toString('utf8'));
    if (typeof spec !== 'object' || spec === null) throw new Error('not a JSON object');
    return spec as SpecFields;
  } catch (error) {
    throw new SpecDecodeError(container.id, error);
  }
}

/** The record as wsruntime sees it, or undefined when it is neither a workspace sandbox nor a workspace container. */
export function classifyRecord(container: Container, selector: WorkspaceSelector): WorkspaceRecord | undefined {
  const labels = container.labels;
  const kind = labels[criKindLabel];
  if (kind === 'sandbox') {
    const key = selector.instanceLabels.find((k) => (labels[k] ?? '') !== '');
    if (key === undefined) return undefined;
    return { kind: 'sandbox', id: container.id, instanceId: labels[key]!, pod: podOf(labels), createdAt: container.createdAt?.getTime() ?? 0 };
  }
  if (kind !== 'container' || labels[containerNameLabel] !== selector.workspaceContainer) return undefined;
  const spec = decodeSpec(container);
  const sandboxId = spec.annotations?.[sandboxIdAnnotation];
  const cgroupsPath = spec.linux?.cgroupsPath;
  return {
    kind: 'container',
    id: container.id,
    sandboxId: typeof sandboxId === 'string' && sandboxId !== '' ? sandboxId : undefined,
    pod: podOf(labels),
    cgroupsPath: typeof cgroupsPath === 'string' ? cgroupsPath : '',
    snapshotter: container.snapshotter,
    snapshotKey: container.snapshotKey,
    createdAt: container.createdAt?.getTime() ?? 0,
  };
}
