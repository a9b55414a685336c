import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileDaemonOptions,
  daemonUsage,
  DaemonOptionsError,
  isHelpRequested,
  parseDaemonArgs,
  type DaemonOptions,
} from '../../src/server/daemon-options.js';

const defaults: DaemonOptions = {
  socket: '/run/wsruntime/wsruntime.sock',
  containerdAddress: '/run/containerd/containerd.sock',
  containerdNamespace: 'k8s.io',
  pathMappings: [],
  instanceLabels: ['gitpod.io/instanceID', 'workspaceID'],
  workspaceContainer: 'workspace',
  socketMode: 0o660,
  socketGroup: undefined,
  logLevel: 'info',
  metricsAddress: undefined,
};

describe('daemon options', () => {
  it('has the documented defaults', () => {
    assert.deepEqual(parseDaemonArgs([], {}), defaults);
    assert.deepEqual(compileDaemonOptions(), defaults);
  });

  it('takes every flag', () => {
    const options = parseDaemonArgs(
      [
        '--socket=/tmp/w/d.sock',
        '--containerd-address', 'unix:///tmp/c/containerd.sock',
        '--containerd-namespace', 'test.ns',
        '--path-mapping', '/var/lib/containerd/=/mnt/node//containerd',
        '--path-mapping', '/run=/mnt/run',
        '--instance-label', 'example.com/instance',
        '--instance-label', 'instance',
        '--workspace-container', 'ws-main',
        '--socket-mode', '0640',
        '--socket-group', 'docker',
        '--log-level', 'DEBUG',
        '--metrics-address', '127.0.0.1:9500',
      ],
      {},
    );
    assert.deepEqual(options, {
      socket: '/tmp/w/d.sock',
      containerdAddress: '/tmp/c/containerd.sock',
      containerdNamespace: 'test.ns',
      pathMappings: [
        { from: '/var/lib/containerd', to: '/mnt/node/containerd' },
        { from: '/run', to: '/mnt/run' },
      ],
      instanceLabels: ['example.com/instance', 'instance'],
      workspaceContainer: 'ws-main',
      socketMode: 0o640,
      socketGroup: 'docker',
      logLevel: 'debug',
      metricsAddress: { host: '127.0.0.1', port: 9500 },
    } satisfies DaemonOptions);
  });

  it('takes every option from WSRUNTIME_* variables, lists comma-separated', () => {
    const options = parseDaemonArgs([], {
      WSRUNTIME_SOCKET: '/tmp/e.sock',
      WSRUNTIME_CONTAINERD_ADDRESS: '/tmp/c.sock',
      WSRUNTIME_CONTAINERD_NAMESPACE: 'env-ns',
      WSRUNTIME_PATH_MAPPING: '/a=/b, /c=/d',
      WSRUNTIME_INSTANCE_LABEL: 'one,two',
      WSRUNTIME_WORKSPACE_CONTAINER: 'w',
      WSRUNTIME_SOCKET_MODE: '600',
      WSRUNTIME_SOCKET_GROUP: '1234',
      WSRUNTIME_LOG_LEVEL: 'warn',
      WSRUNTIME_METRICS_ADDRESS: '[::1]:0',
    });
    assert.deepEqual(options, {
      socket: '/tmp/e.sock',
      containerdAddress: '/tmp/c.sock',
      containerdNamespace: 'env-ns',
      pathMappings: [
        { from: '/a', to: '/b' },
        { from: '/c', to: '/d' },
      ],
      instanceLabels: ['one', 'two'],
      workspaceContainer: 'w',
      socketMode: 0o600,
      socketGroup: 1234,
      logLevel: 'warn',
      metricsAddress: { host: '::1', port: 0 },
    } satisfies DaemonOptions);
  });

  it('lets flags beat the environment, and treats empty variables as unset', () => {
    const env = { WSRUNTIME_SOCKET: '/tmp/env.sock', WSRUNTIME_INSTANCE_LABEL: 'a,b', WSRUNTIME_LOG_LEVEL: '' };
    const options = parseDaemonArgs(['--socket', '/tmp/flag.sock', '--instance-label', 'c'], env);
    assert.equal(options.socket, '/tmp/flag.sock');
    assert.deepEqual(options.instanceLabels, ['c']);
    assert.equal(options.logLevel, 'info');
  });

  it('resolves relative socket paths', () => {
    assert.equal(parseDaemonArgs(['--socket', 'x.sock'], {}).socket, `${process.cwd()}/x.sock`);
  });

  const bad: Array<[string[], RegExp]> = [
    [['--socket', ''], /^--socket: must not be empty$/],
    [['--socket', `/${'s'.repeat(107)}`], /^--socket: .* is 108 bytes long; a unix socket path may have at most 107$/],
    [['--containerd-address', ''], /^--containerd-address: must not be empty$/],
    [['--containerd-namespace', 'a/b'], /^--containerd-namespace: "a\/b" is path-like/],
    [['--path-mapping', '/a'], /^--path-mapping: "\/a" is not FROM=TO$/],
    [['--path-mapping', 'rel=/b'], /^--path-mapping: FROM "rel" is not an absolute path$/],
    [['--path-mapping', '/a=b'], /^--path-mapping: TO "b" is not an absolute path$/],
    [['--path-mapping', '/a=/b', '--path-mapping', '/a/=/c'], /^--path-mapping: "\/a" is mapped twice$/],
    [['--instance-label', 'a b'], /^--instance-label: "a b" is not a Kubernetes label key/],
    [['--instance-label', 'Bad_Prefix/x'], /^--instance-label: "Bad_Prefix\/x" is not a Kubernetes label key/],
    [['--instance-label', 'x', '--instance-label', 'x'], /^--instance-label: a label is given twice$/],
    [['--workspace-container', 'Workspace'], /^--workspace-container: "Workspace" is not a Kubernetes container name/],
    [['--socket-mode', '999'], /^--socket-mode: "999" is not an octal mode such as 0660$/],
    [['--socket-mode', '4660'], /^--socket-mode: "4660" is outside 0000..0777$/],
    [['--socket-group', 'bad group'], /^--socket-group: "bad group" is neither a gid nor a group name$/],
    [['--socket-group', '4294967295'], /^--socket-group: 4294967295 is not a valid gid$/],
    [['--log-level', 'loud'], /^--log-level: "loud" is not one of fatal, error, warn, info, debug, trace, silent$/],
    [['--metrics-address', '9090'], /^--metrics-address: "9090" is not HOST:PORT/],
    [['--metrics-address', 'localhost:70000'], /^--metrics-address: port "70000" is outside 0..65535$/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--socket'], /Option '--socket <value>' argument missing/],
    [['serve'], /^unexpected argument "serve"/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ').slice(0, 60)}`, () => {
      assert.throws(() => parseDaemonArgs(argv, {}), (e) => e instanceof DaemonOptionsError && message.test(e.message));
    });
  }

  it('names the variable when a bad value came from the environment', () => {
    assert.throws(
      () => parseDaemonArgs([], { WSRUNTIME_SOCKET_MODE: 'rw' }),
      (e) => e instanceof DaemonOptionsError && e.flag === '--socket-mode' && e.message === 'WSRUNTIME_SOCKET_MODE (--socket-mode): "rw" is not an octal mode such as 0660',
    );
  });

  it('compiles programmatic options, with numbers and objects', () => {
    const options = compileDaemonOptions({ socketMode: 0o600, socketGroup: 0, pathMappings: [{ from: '/x/', to: '/y' }], metricsAddress: { host: 'h', port: 1 } });
    assert.equal(options.socketMode, 0o600);
    assert.equal(options.socketGroup, 0);
    assert.deepEqual(options.pathMappings, [{ from: '/x', to: '/y' }]);
    assert.deepEqual(options.metricsAddress, { host: 'h', port: 1 });
    assert.throws(() => compileDaemonOptions({ socketMode: 0o1777 }), /--socket-mode: 01777 is outside/);
    assert.throws(() => compileDaemonOptions({ instanceLabels: [] }), /--instance-label: at least one label is needed/);
  });

  it('--help lists every flag with its variable form and default', () => {
    const usage = daemonUsage();
    for (const [flag, shown] of [
      ['--socket', '/run/wsruntime/wsruntime.sock'],
      ['--containerd-address', '/run/containerd/containerd.sock'],
      ['--containerd-namespace', 'k8s.io'],
      ['--path-mapping', 'none'],
      ['--instance-label', 'gitpod.io/instanceID,workspaceID'],
      ['--workspace-container', 'workspace'],
      ['--socket-mode', '0660'],
      ['--socket-group', 'unchanged'],
      ['--log-level', 'info'],
      ['--metrics-address', 'off'],
    ]) {
      assert.match(usage, new RegExp(`  ${flag} [A-Z:=]+ +.*\\n +default: ${shown.replace(/\./g, '\\.')}\\n`), flag);
    }
    assert.match(usage, /WSRUNTIME_<FLAG_IN_CAPS>/);
  });

  it('sees --help and -h only before a -- terminator', () => {
    assert.equal(isHelpRequested(['--socket', '/x', '--help']), true);
    assert.equal(isHelpRequested(['-h']), true);
    assert.equal(isHelpRequested(['--', '--help']), false);
    assert.equal(isHelpRequested([]), false);
  });
});
