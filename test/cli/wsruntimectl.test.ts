// wsruntimectl as a user runs it: a child process talking to a real daemon
// (startDaemon + RuntimeDouble), judged by stdout, stderr and exit status.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createServer, type Server } from 'nice-grpc';
import { ContainerNotFoundError, NoCGroupError, NoUpperdirError, PathNotMappedError, RuntimeUnavailableError } from '../../src/errors.js';
import type { Readiness } from '../../src/runtime.js';
import { serveHealth } from '../../src/server/health.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';

const cli = fileURLToPath(new URL('../../src/cli/wsruntimectl.ts', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs wsruntimectl; `whileRunning` may poke the process (e.g. send SIGINT). */
function run(args: string[], options: { env?: NodeJS.ProcessEnv; whileRunning?: (child: ChildProcess) => Promise<void> } = {}): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, WSRUNTIME_SOCKET: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return (async () => {
    try {
      await options.whileRunning?.(child);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return { code: await exited, stdout, stderr };
  })();
}

function assertOneErrorLine(outcome: Outcome, pattern: RegExp): void {
  assert.equal(outcome.stdout, '');
  assert.match(outcome.stderr, /^wsruntimectl: [^\n]+\n$/);
  assert.match(outcome.stderr, pattern);
}

describe('wsruntimectl', () => {
  let fixture: DaemonHarness;
  const ctl = (...args: string[]) => run(['--socket', fixture.socket, ...args]);

  beforeEach(async () => {
    fixture = await startTestDaemon({ shutdownGraceMs: 1_000 });
  });

  afterEach(async () => {
    await fixture.close();
  });

  describe('values', () => {
    it('prints bare values, one per command', async () => {
      fixture.runtime
        .answer('waitForContainer', 'c-1')
        .answer('containerPID', 4242)
        .answer('containerCGroupPath', '/kubepods/pod1/c-1')
        .answer('containerUpperdir', '/upper')
        .answer('containerRootfs', (call: { args: unknown[] }) => ((call.args[1] as { unmapped: boolean }).unmapped ? '/node/rootfs' : '/rootfs'));
      const cases: Array<[string[], string]> = [
        [['wait', 'inst-1'], 'c-1\n'],
        [['pid', 'c-1'], '4242\n'],
        [['cgroup', 'c-1'], '/kubepods/pod1/c-1\n'],
        [['upperdir', 'c-1'], '/upper\n'],
        [['rootfs', 'c-1'], '/rootfs\n'],
        [['rootfs', '--unmapped', 'c-1'], '/node/rootfs\n'],
      ];
      // Independent processes: run them side by side to keep the suite quick.
      const outcomes = await Promise.all(cases.map(([args]) => ctl(...args)));
      cases.forEach(([args, stdout], i) => assert.deepEqual(outcomes[i], { code: 0, stdout, stderr: '' }, args.join(' ')));
    });

    it('exists prints true or false and exits 0 for both', async () => {
      fixture.runtime.answer('containerExists', (call: { args: unknown[] }) => call.args[0] === 'c-1');
      assert.deepEqual(await ctl('exists', 'c-1'), { code: 0, stdout: 'true\n', stderr: '' });
      assert.deepEqual(await ctl('exists', 'c-2'), { code: 0, stdout: 'false\n', stderr: '' });
    });

    it('wait-stop prints nothing; --json prints one object', async () => {
      fixture.runtime.answer('waitForContainerStop', undefined).answer('containerPID', 7);
      assert.deepEqual(await ctl('wait-stop', 'inst-1'), { code: 0, stdout: '', stderr: '' });
      const stop = await ctl('--json', 'wait-stop', 'inst-1');
      assert.deepEqual(JSON.parse(stop.stdout), { workspaceInstanceId: 'inst-1', stopped: true });
      const pid = await ctl('pid', 'c-1', '--json');
      assert.deepEqual(JSON.parse(pid.stdout), { containerId: 'c-1', pid: 7 });
    });

    it('finds the socket through WSRUNTIME_SOCKET', async () => {
      fixture.runtime.answer('containerPID', 9);
      assert.deepEqual(await run(['pid', 'c-1'], { env: { WSRUNTIME_SOCKET: fixture.socket } }), { code: 0, stdout: '9\n', stderr: '' });
    });
  });

  describe('exit codes', () => {
    it('3 when the container is not found', async () => {
      fixture.runtime.fail('containerPID', new ContainerNotFoundError({ containerId: 'c-9' }));
      const outcome = await ctl('pid', 'c-9');
      assert.equal(outcome.code, 3);
      assertOneErrorLine(outcome, /container "c-9" not found/);
    });

    it('4 when there is no upperdir, no cgroup, or no mapping', async () => {
      fixture.runtime
        .fail('containerUpperdir', new NoUpperdirError('c-1'))
        .fail('containerCGroupPath', new NoCGroupError('c-1'))
        .fail('containerRootfs', new PathNotMappedError({ containerId: 'c-1', nodePath: '/x', reason: 'no mapping' }));
      const cases = [
        ['upperdir', /no upperdir/],
        ['cgroup', /no cgroup/],
        ['rootfs', /cannot be mapped/],
      ] as const;
      const outcomes = await Promise.all(cases.map(([command]) => ctl(command, 'c-1')));
      cases.forEach(([command, pattern], i) => {
        assert.equal(outcomes[i]!.code, 4, command);
        assertOneErrorLine(outcomes[i]!, pattern);
      });
    });

    it('5 when containerd is unavailable', async () => {
      fixture.runtime.fail('containerExists', new RuntimeUnavailableError('containerd is down'));
      const outcome = await ctl('exists', 'c-1');
      assert.equal(outcome.code, 5);
      assertOneErrorLine(outcome, /unavailable .*containerd is down/);
    });

    it('5 when no daemon listens', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'wsruntimectl-'));
      try {
        const outcome = await run(['--socket', path.join(dir, 'none.sock'), 'pid', 'c-1']);
        assert.equal(outcome.code, 5);
        assertOneErrorLine(outcome, /unavailable \(daemon at unix:\/\/\/.*none\.sock\)/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('124 when --timeout passes during a wait, and the daemon stops waiting', async () => {
      fixture.runtime.hang('waitForContainer');
      const outcome = await ctl('--timeout', '200ms', 'wait', 'unknown');
      assert.equal(outcome.code, 124);
      assertOneErrorLine(outcome, /timed out after 200ms/);
      await (await fixture.runtime.nextCall('waitForContainer')).aborted;
    });

    it('130 when interrupted during a wait, and the daemon stops waiting', async () => {
      fixture.runtime.hang('waitForContainer');
      let serverSide: Promise<void> | undefined;
      const outcome = await run(['--socket', fixture.socket, 'wait', 'inst-1'], {
        whileRunning: async (child) => {
          const call = await fixture.runtime.nextCall('waitForContainer');
          serverSide = call.aborted;
          child.kill('SIGINT');
        },
      });
      assert.equal(outcome.code, 130);
      assertOneErrorLine(outcome, /interrupted/);
      await serverSide;
    });

    it('2 for usage errors and invalid ids, with a hint', async () => {
      const cases = [[], ['frobnicate'], ['pid'], ['pid', 'a', 'b'], ['--timeout', '30', 'pid', 'x'], ['--bogus', 'pid', 'x'], ['pid', '--unmapped', 'x']];
      const outcomes = await Promise.all(cases.map((args) => ctl(...args)));
      cases.forEach((args, i) => {
        assert.equal(outcomes[i]!.code, 2, args.join(' '));
        assertOneErrorLine(outcomes[i]!, /see 'wsruntimectl --help'/);
      });
      const invalid = await ctl('pid', '../etc');
      assert.equal(invalid.code, 2);
      assertOneErrorLine(invalid, /container_id: is path-like/);
    });
  });

  it('errors follows the stream, one line per error, until Ctrl-C', async () => {
    const time = new Date('2024-05-06T07:08:09.010Z');
    let lines: string[] = [];
    const outcome = await run(['--socket', fixture.socket, 'errors'], {
      whileRunning: async (child) => {
        await fixture.runtime.nextCall('errors');
        fixture.runtime.publish({ kind: 'sync', message: 'list failed', time });
        fixture.runtime.publish({ kind: 'connection', message: 'dial\nfailed', time });
        let buffered = '';
        for await (const chunk of child.stdout!) {
          buffered += chunk;
          if (buffered.split('\n').length > 2) break;
        }
        lines = buffered.trim().split('\n');
        child.kill('SIGINT');
      },
    });
    assert.deepEqual(lines, ['2024-05-06T07:08:09.010Z sync list failed', '2024-05-06T07:08:09.010Z connection dial failed']);
    assert.equal(outcome.code, 130);
  });

  it('--help for the tool and every command, each with an example', async () => {
    const tool = await run(['--help']);
    assert.equal(tool.code, 0);
    const names = ['wait', 'wait-stop', 'exists', 'upperdir', 'rootfs', 'cgroup', 'pid', 'errors', 'health'];
    const helps = await Promise.all(names.map((command) => run([command, '--help'])));
    for (const [i, command] of names.entries()) {
      assert.match(tool.stdout, new RegExp(`\\n  ${command} `));
      const help = helps[i]!;
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, new RegExp(`^Usage: wsruntimectl \\[global flags\\] ${command}`));
      assert.match(help.stdout, /Example:\n  wsruntimectl|Example:\n  .*wsruntimectl /);
    }
    assert.deepEqual(await run(['help', 'pid']), await run(['pid', '-h']));
  });
});

describe('wsruntimectl health', () => {
  let dir: string;
  let server: Server;
  let ready: boolean;
  const listeners = new Set<(ready: boolean) => void>();
  const readiness: Readiness = {
    get ready() {
      return ready;
    },
    onReadyChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const setReady = (value: boolean) => {
    ready = value;
    for (const l of listeners) l(value);
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wsruntimectl-health-'));
    ready = true;
    server = createServer();
    serveHealth(server, readiness);
    await server.listen(`unix://${path.join(dir, 'h.sock')}`);
  });

  after(async () => {
    server.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints SERVING and exits 0; NOT_SERVING exits 5', async () => {
    const socket = path.join(dir, 'h.sock');
    assert.deepEqual(await run(['--socket', socket, 'health']), { code: 0, stdout: 'SERVING\n', stderr: '' });
    setReady(false);
    const down = await run(['--socket', socket, '--json', 'health', 'wsruntime.v1.RuntimeService']);
    assert.equal(down.code, 5);
    assert.deepEqual(JSON.parse(down.stdout), { service: 'wsruntime.v1.RuntimeService', status: 'NOT_SERVING' });
    assert.match(down.stderr, /^wsruntimectl: .*NOT_SERVING\n$/);
  });

  it('3 for a service the daemon does not know, as --help says', async () => {
    const outcome = await run(['--socket', path.join(dir, 'h.sock'), 'health', 'no.such.Service']);
    assert.equal(outcome.code, 3);
    assertOneErrorLine(outcome, /no\.such\.Service/);
  });

  it('with --live, exits 0 for any answer and still prints the status', async () => {
    const socket = path.join(dir, 'h.sock');
    setReady(false);
    try {
      assert.deepEqual(await run(['--socket', socket, 'health', '--live']), { code: 0, stdout: 'NOT_SERVING\n', stderr: '' });
      assert.equal((await run(['--socket', socket, 'health'])).code, 5);
    } finally {
      setReady(true);
    }
    assert.equal((await run(['--socket', path.join(dir, 'nobody.sock'), '--timeout', '1s', 'health', '--live'])).code, 5);
  });

  it('says so when a server does not serve grpc.health.v1', async () => {
    // A gRPC server with no services at all: every call is UNIMPLEMENTED.
    const bare = createServer();
    const socket = path.join(dir, 'bare.sock');
    await bare.listen(`unix://${socket}`);
    try {
      const outcome = await run(['--socket', socket, 'health']);
      assert.equal(outcome.code, 1);
      assertOneErrorLine(outcome, /does not serve grpc\.health\.v1/);
    } finally {
      bare.forceShutdown();
    }
  });
});
