// deploy/daemonset.yaml must agree with itself: the daemon's flags (parsed by
// the daemon's own parser) name paths that the pod actually mounts from the
// node, and the probes call `wsruntimectl health` on the daemon's socket.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseCommandLine } from '../../src/cli/ctl/parse-command-line.js';
import { parseDaemonArgs, type DaemonOptions } from '../../src/server/daemon-options.js';

interface HostPathVolume {
  name: string;
  hostPath?: { path: string; type?: string };
}
interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  mountPropagation?: string;
}
interface Probe {
  exec?: { command: string[] };
}
interface Container {
  name: string;
  args: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts: VolumeMount[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  securityContext?: { privileged?: boolean };
}

const manifestUrl = new URL('../../deploy/daemonset.yaml', import.meta.url);
const documents = parseAllDocuments(readFileSync(manifestUrl, 'utf8'));
for (const doc of documents) assert.deepEqual(doc.errors, [], 'deploy/daemonset.yaml does not parse');
const daemonSet = documents.map((d) => d.toJS()).find((d) => d?.kind === 'DaemonSet');
const podSpec = daemonSet?.spec?.template?.spec;
const container: Container = podSpec?.containers?.find((c: Container) => c.name === 'wsruntimed');
const volumes: HostPathVolume[] = podSpec?.volumes ?? [];

/** Kubernetes expands $(VAR) in args from the container's env; downward-API values get a sample. */
function expandArgs(c: Container): string[] {
  const env = new Map((c.env ?? []).map((e) => [e.name, e.value ?? '10.1.2.3']));
  return c.args.map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env.get(name) ?? whole));
}

function isUnder(child: string, parent: string): boolean {
  const rel = path.posix.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel));
}

/** The mount that `containerPath` lies in (the deepest), with its volume, and the node path it reaches. */
function resolveOnNode(containerPath: string): { mount: VolumeMount; volume: HostPathVolume; nodePath: string | undefined } | undefined {
  const mount = container.volumeMounts
    .filter((m) => isUnder(containerPath, m.mountPath))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return undefined;
  const volume = volumes.find((v) => v.name === mount.name);
  assert.ok(volume, `volumeMount ${mount.name} names no volume`);
  const nodePath = volume.hostPath && path.posix.join(volume.hostPath.path, path.posix.relative(mount.mountPath, containerPath));
  return { mount, volume, nodePath };
}

const directoryTypes = ['Directory', 'DirectoryOrCreate'];

describe('deploy/daemonset.yaml', () => {
  let options: DaemonOptions;

  it('is one apps/v1 DaemonSet whose selector matches its pods', () => {
    assert.equal(daemonSet?.apiVersion, 'apps/v1');
    assert.ok(container, 'no container named wsruntimed');
    const selector: Record<string, string> = daemonSet.spec.selector.matchLabels;
    for (const [k, v] of Object.entries(selector)) assert.equal(daemonSet.spec.template.metadata.labels[k], v, k);
  });

  it("passes flags the daemon's own parser accepts", () => {
    options = parseDaemonArgs(expandArgs(container), {});
    assert.ok(options.pathMappings.length > 0);
  });

  it('mounts every --path-mapping TO from the node path FROM', () => {
    for (const { from, to } of options.pathMappings) {
      const resolved = resolveOnNode(to);
      assert.ok(resolved, `--path-mapping ${from}=${to}: nothing is mounted at or above ${to}`);
      assert.ok(resolved.volume.hostPath, `--path-mapping ${from}=${to}: ${resolved.mount.mountPath} is not a hostPath`);
      assert.equal(resolved.nodePath, from, `--path-mapping ${from}=${to}: ${to} is node path ${resolved.nodePath}`);
      // Mounts containerd makes later (task rootfs) must show up inside the pod.
      assert.equal(resolved.mount.mountPropagation, 'HostToContainer', `${resolved.mount.mountPath} needs HostToContainer propagation`);
    }
  });

  it("mounts the containerd socket's directory, not the socket file", () => {
    const resolved = resolveOnNode(path.posix.dirname(options.containerdAddress));
    assert.ok(resolved?.volume.hostPath, `the directory of ${options.containerdAddress} is not mounted from the node`);
    assert.ok(directoryTypes.includes(resolved.volume.hostPath.type ?? ''), `${resolved.volume.name} must be a hostPath of type Directory`);
    for (const v of volumes) {
      assert.notEqual(v.hostPath?.type, 'Socket', `volume ${v.name} mounts a socket file, which goes stale when its server restarts`);
    }
  });

  it("shares the daemon's socket directory with client pods through a hostPath", () => {
    const socketDir = path.posix.dirname(options.socket);
    const mount = container.volumeMounts.find((m) => m.mountPath === socketDir);
    assert.ok(mount, `the socket directory ${socketDir} must be a mount of its own`);
    assert.notEqual(mount.readOnly, true, 'the daemon creates its socket there');
    const volume = volumes.find((v) => v.name === mount.name);
    assert.ok(volume?.hostPath, `${socketDir} must come from a hostPath, or no other pod can reach the socket`);
    assert.ok(directoryTypes.includes(volume.hostPath.type ?? ''));
    assert.equal(volume.hostPath.path, socketDir, 'client pods find the socket at the same path as on the node');
  });

  it("probes with `wsruntimectl health` on the daemon's socket", () => {
    for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
      const command = container[kind]?.exec?.command;
      assert.ok(command, `${kind} must be an exec probe`);
      assert.equal(command[0], 'wsruntimectl', kind);
      const parsed = parseCommandLine(command.slice(1), {});
      assert.equal(parsed.kind, 'run', kind);
      if (parsed.kind !== 'run') continue;
      assert.equal(parsed.invocation.command.name, 'health', kind);
      assert.equal(parsed.invocation.socket, options.socket, `${kind} asks another socket`);
      assert.ok(parsed.invocation.timeout, `${kind} should bound its own wait with --timeout`);
      // Readiness follows containerd; liveness only asks whether the daemon
      // answers, since restarting it cannot bring containerd back.
      assert.equal(parsed.invocation.live, kind === 'livenessProbe', `${kind} --live`);
    }
  });

  it('exposes the metrics port it binds, and runs unprivileged without hostPID', () => {
    assert.ok(options.metricsAddress);
    const port = container.ports?.find((p) => p.name === 'metrics');
    assert.equal(port?.containerPort, options.metricsAddress.port);
    assert.equal(daemonSet.spec.template.metadata.annotations['prometheus.io/port'], String(options.metricsAddress.port));
    assert.equal(container.securityContext?.privileged, false);
    assert.notEqual(podSpec.hostPID, true);
    for (const m of container.volumeMounts) {
      if (m.mountPath.startsWith('/mnt/node/')) assert.equal(m.readOnly, true, `${m.mountPath}: the daemon only reads the node's containerd dirs`);
    }
  });
});
