// `npm run demo` against a real daemon and private containerd: it tells the
// whole story and leaves no pod behind, also when interrupted.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { withCri } from '../../src/devstack/cri-client.js';
import { startStackDaemon, type StackDaemon } from '../support/stack-daemon.js';

const demo = fileURLToPath(new URL('../../src/demo/demo.ts', import.meta.url));

describe('npm run demo', () => {
  let fixture: StackDaemon;

  before(async () => {
    fixture = await startStackDaemon();
  });

  after(async () => {
    await fixture?.close();
  });

  function runDemo(onStdout?: (text: string, kill: () => void) => void) {
    const child = spawn(process.execPath, ['--import', 'tsx', demo, '--socket', fixture.socket, '--containerd-address', fixture.stack.containerd.address], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, () => child.kill('SIGINT'));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  const podsLeft = async () => (await withCri(fixture.stack.containerd.address, (cri) => cri.runtime.listPodSandbox({}))).items.length;

  it('walks through wait, pid, cgroup, rootfs, upperdir and wait-stop, and cleans up', async () => {
    const { code, stdout, stderr } = await runDemo();
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.match(stdout, /the wait returned after [\d.]+ s: ID=[0-9a-f]{64}/);
    assert.match(stdout, /wsruntimectl pid \$ID +-> \d+/);
    assert.match(stdout, /wsruntimectl cgroup \$ID +-> \/kubepods\/besteffort\/pod/);
    assert.match(stdout, /found .*hello-from-wsruntime\.txt: "written by the wsruntime demo/);
    assert.match(stdout, /wait-stop returned/);
    assert.match(stdout, /wsruntimectl exists \$ID +-> false/);
    assert.equal(await podsLeft(), 0);
  });

  it('removes its pod when interrupted after creating it', async () => {
    let interrupted = false;
    const { code, stderr } = await runDemo((stdout, kill) => {
      if (!interrupted && stdout.includes('the wait returned')) {
        interrupted = true;
        kill();
      }
    });
    assert.ok(interrupted);
    // Interrupted mid-way (130), or it had just finished (0); either way no pod stays.
    assert.ok(code === 130 || code === 0, `exit ${code}: ${stderr}`);
    assert.equal(await podsLeft(), 0);
  });
});
