// The daemon's options, compiled and validated in this one place (after the
// Temporal SDK's compileWorkerOptions): every flag has an environment variable
// WSRUNTIME_<FLAG_IN_CAPS>, flags beat the environment, and every bad value is
// reported naming the flag (and the variable, when it came from there).
//
// This module is loaded before `--help` is answered, so it imports nothing
// heavier than node:util and node:path.

import path from 'node:path';
import { parseArgs } from 'node:util';
import type { PathMapping } from '../containerd/path-mapper.js';
import { identifierProblem } from './validation.js';

export type { PathMapping };

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface HostPort {
  host: string;
  port: number;
}

export interface DaemonOptions {
  /** Absolute path of the unix socket the daemon serves on. */
  socket: string;
  /** Absolute path of containerd's gRPC socket. */
  containerdAddress: string;
  containerdNamespace: string;
  pathMappings: PathMapping[];
  /** Pod labels holding the workspace instance id, tried in order. */
  instanceLabels: string[];
  /** Name of the workspace container within a workspace pod. */
  workspaceContainer: string;
  /** Permission bits of the socket file. */
  socketMode: number;
  /** Group to own the socket: a gid, or a group name resolved at start; undefined leaves it alone. */
  socketGroup: number | string | undefined;
  logLevel: LogLevel;
  /** Where to serve Prometheus metrics; undefined is off. */
  metricsAddress: HostPort | undefined;
}

/** What a caller may give compileDaemonOptions: loose forms, compiled into DaemonOptions. */
export interface DaemonOptionsInput {
  socket?: string;
  containerdAddress?: string;
  containerdNamespace?: string;
  /** PathMapping objects or `FROM=TO` strings. */
  pathMappings?: ReadonlyArray<PathMapping | string>;
  instanceLabels?: readonly string[];
  workspaceContainer?: string;
  /** A number, or an octal string such as '0660'. */
  socketMode?: number | string;
  socketGroup?: number | string;
  logLevel?: string;
  /** `host:port` (`[v6]:port`), or already split. */
  metricsAddress?: string | HostPort;
}

export class DaemonOptionsError extends Error {
  /** The flag the problem is about (`--socket-mode`), if any. */
  readonly flag: string | undefined;

  constructor(flag: string | undefined, message: string) {
    super(message);
    this.name = 'DaemonOptionsError';
    this.flag = flag;
  }
}

interface FlagSpec {
  key: keyof DaemonOptionsInput;
  flag: string;
  placeholder: string;
  multiple?: boolean;
  /** The default as shown by --help. */
  shownDefault: string;
  help: string;
}

const flagSpecs: readonly FlagSpec[] = [
  { key: 'socket', flag: 'socket', placeholder: 'PATH', shownDefault: '/run/wsruntime/wsruntime.sock', help: 'unix socket to serve wsruntime.v1.RuntimeService on' },
  { key: 'containerdAddress', flag: 'containerd-address', placeholder: 'PATH', shownDefault: '/run/containerd/containerd.sock', help: "containerd's gRPC socket (a path, or unix://PATH)" },
  { key: 'containerdNamespace', flag: 'containerd-namespace', placeholder: 'NS', shownDefault: 'k8s.io', help: 'containerd namespace of the workspace pods' },
  { key: 'pathMappings', flag: 'path-mapping', placeholder: 'FROM=TO', multiple: true, shownDefault: 'none', help: 'callers reach node paths under FROM as TO; repeatable, env comma-separated' },
  { key: 'instanceLabels', flag: 'instance-label', placeholder: 'KEY', multiple: true, shownDefault: 'gitpod.io/instanceID,workspaceID', help: 'pod label holding the instance id, tried in order; repeatable, env comma-separated' },
  { key: 'workspaceContainer', flag: 'workspace-container', placeholder: 'NAME', shownDefault: 'workspace', help: 'name of the workspace container in a workspace pod' },
  { key: 'socketMode', flag: 'socket-mode', placeholder: 'MODE', shownDefault: '0660', help: 'permission bits of the socket, octal' },
  { key: 'socketGroup', flag: 'socket-group', placeholder: 'GROUP', shownDefault: 'unchanged', help: 'group (name or gid) to own the socket' },
  { key: 'logLevel', flag: 'log-level', placeholder: 'LEVEL', shownDefault: 'info', help: `log level: ${logLevels.join(', ')}` },
  { key: 'metricsAddress', flag: 'metrics-address', placeholder: 'HOST:PORT', shownDefault: 'off', help: 'serve Prometheus metrics on HOST:PORT' },
];

export const envPrefix = 'WSRUNTIME_';

export function envName(flag: string): string {
  return envPrefix + flag.toUpperCase().replace(/-/g, '_');
}

export const daemonDefaults = {
  socket: '/run/wsruntime/wsruntime.sock',
  containerdAddress: '/run/containerd/containerd.sock',
  containerdNamespace: 'k8s.io',
  instanceLabels: ['gitpod.io/instanceID', 'workspaceID'],
  workspaceContainer: 'workspace',
  socketMode: 0o660,
  logLevel: 'info',
} as const satisfies Partial<DaemonOptions>;

/** The text `wsruntimed --help` prints. */
export function daemonUsage(): string {
  const rows: Array<[string, string[]]> = flagSpecs.map((s) => [`--${s.flag} ${s.placeholder}`, [s.help, `default: ${s.shownDefault}`]]);
  rows.push(['-h, --help', ['print this help and exit']]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    'Usage: wsruntimed [options]',
    '',
    "Serves wsruntime.v1.RuntimeService on a unix socket: finds workspace pods' containers",
    'in containerd and reports their PID, cgroup, rootfs and upperdir.',
    '',
    'Options (each also as environment variable WSRUNTIME_<FLAG_IN_CAPS>, e.g.',
    'WSRUNTIME_CONTAINERD_ADDRESS; a flag beats its variable):',
    ...rows.flatMap(([left, lines]) => lines.map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)}${line}`)),
    '',
  ].join('\n');
}

/** Whether the command line asks for help (before any `--` terminator). */
export function isHelpRequested(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Parses `wsruntimed`'s command line and environment into DaemonOptions.
 * Throws DaemonOptionsError for unknown flags and bad values.
 */
export function parseDaemonArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DaemonOptions {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: parseArgsOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new DaemonOptionsError(undefined, `${(error as Error).message} (see --help)`);
  }
  if (parsed.positionals.length > 0) {
    throw new DaemonOptionsError(undefined, `unexpected argument ${JSON.stringify(parsed.positionals[0])} (see --help)`);
  }

  const input: Record<string, unknown> = {};
  const fromEnv = new Set<string>();
  for (const spec of flagSpecs) {
    const flagValue = parsed.values[spec.flag];
    if (flagValue !== undefined) {
      input[spec.key] = flagValue;
      continue;
    }
    const envValue = env[envName(spec.flag)];
    // An empty variable counts as unset, as orchestrators often set empty values.
    if (envValue === undefined || envValue === '') continue;
    input[spec.key] = spec.multiple ? envValue.split(',').map((v) => v.trim()).filter((v) => v !== '') : envValue;
    fromEnv.add(spec.flag);
  }

  try {
    return compileDaemonOptions(input as DaemonOptionsInput);
  } catch (error) {
    if (error instanceof DaemonOptionsError && error.flag !== undefined && fromEnv.has(error.flag.slice(2))) {
      const detail = error.message.slice(error.flag.length + 2);
      throw new DaemonOptionsError(error.flag, `${envName(error.flag.slice(2))} (${error.flag}): ${detail}`);
    }
    throw error;
  }
}

const parseArgsOptions = Object.fromEntries([
  ['help', { type: 'boolean', short: 'h' }],
  ...flagSpecs.map((s) => [s.flag, { type: 'string', multiple: s.multiple ?? false }] as const),
]) as Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** Applies defaults and validates; the one place options are checked. Throws DaemonOptionsError. */
export function compileDaemonOptions(input: DaemonOptionsInput = {}): DaemonOptions {
  return {
    socket: compileSocketPath('--socket', input.socket ?? daemonDefaults.socket),
    containerdAddress: compileSocketPath('--containerd-address', stripUnixScheme(input.containerdAddress ?? daemonDefaults.containerdAddress)),
    containerdNamespace: compileNamespace(input.containerdNamespace ?? daemonDefaults.containerdNamespace),
    pathMappings: compilePathMappings(input.pathMappings ?? []),
    instanceLabels: compileInstanceLabels(input.instanceLabels ?? daemonDefaults.instanceLabels),
    workspaceContainer: compileContainerName(input.workspaceContainer ?? daemonDefaults.workspaceContainer),
    socketMode: compileSocketMode(input.socketMode ?? daemonDefaults.socketMode),
    socketGroup: input.socketGroup === undefined ? undefined : compileGroup(input.socketGroup),
    logLevel: compileLogLevel(input.logLevel ?? daemonDefaults.logLevel),
    metricsAddress: input.metricsAddress === undefined ? undefined : compileHostPort(input.metricsAddress),
  };
}

function fail(flag: string, message: string): never {
  throw new DaemonOptionsError(flag, `${flag}: ${message}`);
}

/** sun_path holds 108 bytes including the terminating NUL. */
export const maxSocketPathBytes = 107;

function compileSocketPath(flag: string, value: string): string {
  if (value === '') fail(flag, 'must not be empty');
  const resolved = path.resolve(value);
  const bytes = Buffer.byteLength(resolved);
  if (bytes > maxSocketPathBytes) fail(flag, `${JSON.stringify(resolved)} is ${bytes} bytes long; a unix socket path may have at most ${maxSocketPathBytes}`);
  return resolved;
}

function stripUnixScheme(value: string): string {
  return value.replace(/^unix:(\/\/)?/, '');
}

function compileNamespace(value: string): string {
  const problem = identifierProblem(value);
  if (problem) fail('--containerd-namespace', `${JSON.stringify(value)} ${problem}`);
  return value;
}

function compilePathMappings(values: ReadonlyArray<PathMapping | string>): PathMapping[] {
  const flag = '--path-mapping';
  const mappings: PathMapping[] = [];
  for (const value of values) {
    let from: string;
    let to: string;
    if (typeof value === 'string') {
      const eq = value.indexOf('=');
      if (eq < 0) fail(flag, `${JSON.stringify(value)} is not FROM=TO`);
      from = value.slice(0, eq);
      to = value.slice(eq + 1);
    } else {
      ({ from, to } = value);
    }
    const mapping = { from: absolutePath(flag, 'FROM', from), to: absolutePath(flag, 'TO', to) };
    if (mappings.some((m) => m.from === mapping.from)) fail(flag, `${JSON.stringify(mapping.from)} is mapped twice`);
    mappings.push(mapping);
  }
  return mappings;
}

function absolutePath(flag: string, what: string, value: string): string {
  if (!path.posix.isAbsolute(value)) fail(flag, `${what} ${JSON.stringify(value)} is not an absolute path`);
  const normalized = path.posix.normalize(value);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

// Kubernetes label keys: an optional DNS-subdomain prefix and "/", then a name.
const labelPrefix = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function compileInstanceLabels(values: readonly string[]): string[] {
  const flag = '--instance-label';
  if (values.length === 0) fail(flag, 'at least one label is needed');
  for (const value of values) {
    const slash = value.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : value.slice(0, slash);
    const name = value.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && labelPrefix.test(prefix));
    if (!prefixOk || name.length > 63 || !labelName.test(name)) {
      fail(flag, `${JSON.stringify(value)} is not a Kubernetes label key ([prefix/]name)`);
    }
  }
  if (new Set(values).size !== values.length) fail(flag, 'a label is given twice');
  return [...values];
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function compileContainerName(value: string): string {
  if (value.length > 63 || !dnsLabel.test(value)) {
    fail('--workspace-container', `${JSON.stringify(value)} is not a Kubernetes container name (a DNS-1123 label)`);
  }
  return value;
}

function compileSocketMode(value: number | string): number {
  const flag = '--socket-mode';
  let mode: number;
  if (typeof value === 'number') {
    mode = value;
  } else {
    if (!/^(0o?)?[0-7]{1,4}$/.test(value)) fail(flag, `${JSON.stringify(value)} is not an octal mode such as 0660`);
    mode = parseInt(value.replace(/^0o?/, '') || '0', 8);
  }
  // Set-id and sticky bits mean nothing on a socket.
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) fail(flag, `${formatMode(value)} is outside 0000..0777`);
  return mode;
}

function formatMode(value: number | string): string {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? '0' + value.toString(8) : JSON.stringify(value);
}

const maxGid = 2 ** 32 - 2; // 2^32-1 is (gid_t)-1, "no change"
const groupName = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

function compileGroup(value: number | string): number | string {
  const flag = '--socket-group';
  if (typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > maxGid) fail(flag, `${value} is not a valid gid`);
    return value;
  }
  if (!groupName.test(value)) fail(flag, `${JSON.stringify(value)} is neither a gid nor a group name`);
  return value;
}

function compileLogLevel(value: string): LogLevel {
  const level = value.toLowerCase();
  if (!(logLevels as readonly string[]).includes(level)) {
    fail('--log-level', `${JSON.stringify(value)} is not one of ${logLevels.join(', ')}`);
  }
  return level as LogLevel;
}

function compileHostPort(value: string | HostPort): HostPort {
  const flag = '--metrics-address';
  let host: string;
  let portText: string;
  if (typeof value === 'string') {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(value);
    if (!match) fail(flag, `${JSON.stringify(value)} is not HOST:PORT (an IPv6 host in brackets)`);
    host = match[1] ?? match[2]!;
    portText = match[3]!;
  } else {
    host = value.host;
    portText = String(value.port);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) fail(flag, `port ${JSON.stringify(portText)} is outside 0..65535`);
  if (host === '' || /[\s/]/.test(host)) fail(flag, `host ${JSON.stringify(host)} is not a host name or address`);
  return { host, port };
}
