// The polyglot proof: examples/python/client.py, with stubs generated now by
// protoc + grpc_python_plugin and run by Debian's /usr/bin/python3, against
// the real daemon on the real containerd backend and a private containerd
// with a kubelet-made workspace pod.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { ContainerdRuntime } from '../../src/containerd/containerd-runtime.js';
import { compileDaemonOptions } from '../../src/server/daemon-options.js';
import { startDaemon, type Daemon } from '../../src/server/daemon.js';
import { startStack, type TestStack } from '../support/stack.js';

const run = promisify(execFile);
const exampleDir = fileURLToPath(new URL('../../examples/python/', import.meta.url));
// Debian's grpcio and protobuf live in the system Python, not in a pyenv one first on PATH.
const python = '/usr/bin/python3';

interface ClientOutput {
  containerId: string;
  pid: number;
  cgroupPath: string;
  notFound: { code: string; containerId: string };
}

describe('examples/python', { timeout: 180_000 }, () => {
  let stubs: string;
  let stack: TestStack;
  let runtime: ContainerdRuntime;
  let daemon: Daemon;

  before(async () => {
    stubs = await mkdtemp(path.join(tmpdir(), 'wsruntime-pystubs-'));
    await run('sh', [path.join(exampleDir, 'gen-stubs.sh'), stubs]);
    stack = await startStack();
    const logger = pino({ level: 'warn' });
    runtime = new ContainerdRuntime({
      address: stack.containerd.address,
      namespace: stack.namespace,
      pathMappings: [],
      instanceLabels: ['gitpod.io/instanceID', 'workspaceID'],
      workspaceContainer: 'workspace',
      logger,
    });
    await runtime.start();
    daemon = await startDaemon({ options: compileDaemonOptions({ socket: path.join(stack.dir, 'wsruntime.sock') }), runtime, logger });
  });

  after(async () => {
    await daemon?.stop();
    await runtime?.close();
    await stack?.close();
    if (stubs) await rm(stubs, { recursive: true, force: true });
  });

  it('waits for a workspace, reads its pid and cgroup, and decodes ContainerNotFound', async () => {
    const instanceId = `py-${process.pid}-${Date.now()}`;
    // Started before the pod exists, so the wait really waits.
    const client = run(python, [path.join(exampleDir, 'client.py'), '--socket', daemon.socketPath, '--instance-id', instanceId, '--timeout', '60'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONPATH: stubs },
    });
    const pod = await stack.createWorkspacePod({ instanceId });
    const { stdout } = await client;
    const out = JSON.parse(stdout) as ClientOutput;

    assert.equal(out.containerId, pod.containerId);
    // The pid is the container's init on this node: its cgroup is the one reported.
    const procCgroup = await readFile(`/proc/${out.pid}/cgroup`, 'utf8');
    assert.ok(
      procCgroup.split('\n').some((line) => line.endsWith(`:${out.cgroupPath}`)),
      `pid ${out.pid} is not in cgroup ${out.cgroupPath}:\n${procCgroup}`,
    );
    assert.ok(out.cgroupPath.endsWith(pod.containerId), out.cgroupPath);
    assert.deepEqual(out.notFound, { code: 'NOT_FOUND', containerId: 'no-such-container' });
  });
});
