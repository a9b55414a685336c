// wsruntimectl end to end: the CLI as a child process against a real daemon
// on the containerd backend and a private containerd.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startStackDaemon, type StackDaemon } from '../support/stack-daemon.js';

const cli = fileURLToPath(new URL('../../src/cli/wsruntimectl.ts', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ctl(socket: string, ...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, '--socket', socket, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('wsruntimectl on the real stack', () => {
  let fixture: StackDaemon;

  before(async () => {
    fixture = await startStackDaemon();
  });

  after(async () => {
    await fixture?.close();
  });

  it('wait prints the container id once the pod is up; pid, cgroup and exists answer for it', async () => {
    const instanceId = `ctl-${randomUUID().slice(0, 8)}`;
    const waiting = ctl(fixture.socket, '--timeout', '30s', 'wait', instanceId);
    const pod = await fixture.stack.createWorkspacePod({ instanceId });
    try {
      assert.deepEqual(await waiting, { code: 0, stdout: `${pod.containerId}\n`, stderr: '' });
      const pid = await ctl(fixture.socket, 'pid', pod.containerId);
      assert.equal(pid.code, 0);
      assert.match(pid.stdout, /^[1-9]\d*\n$/);
      const cgroup = await ctl(fixture.socket, '--json', 'cgroup', pod.containerId);
      assert.deepEqual(JSON.parse(cgroup.stdout), {
        containerId: pod.containerId,
        cgroupPath: `/kubepods/besteffort/pod${pod.podUid}/${pod.containerId}`,
      });
      assert.deepEqual(await ctl(fixture.socket, 'exists', pod.containerId), { code: 0, stdout: 'true\n', stderr: '' });
    } finally {
      await fixture.stack.removeWorkspacePod(pod);
    }
    assert.deepEqual(await ctl(fixture.socket, '--timeout', '10s', 'wait-stop', instanceId), { code: 0, stdout: '', stderr: '' });
    assert.deepEqual(await ctl(fixture.socket, 'exists', pod.containerId), { code: 0, stdout: 'false\n', stderr: '' });
  });

  it('exit 3 for an unknown container, 124 for a wait that times out', async () => {
    const unknown = await ctl(fixture.socket, 'upperdir', 'no-such-container');
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /^wsruntimectl: container "no-such-container" not found\n$/);
    const timeout = await ctl(fixture.socket, '--timeout', '200ms', 'wait', 'never-coming');
    assert.equal(timeout.code, 124);
  });
});
