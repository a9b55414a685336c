// What wsruntimectl can do, as data: names, arguments and help texts. Kept
// free of heavy imports so `--help` and usage errors answer instantly.

export type CommandName = 'wait' | 'wait-stop' | 'exists' | 'upperdir' | 'rootfs' | 'cgroup' | 'pid' | 'errors' | 'health';

export type CommandFlagName = 'unmapped' | 'live';

export interface CommandFlag {
  name: CommandFlagName;
  help: string;
}

export interface Command {
  name: CommandName;
  /** Positional arguments; a trailing `?` marks an optional one. */
  args: readonly string[];
  /** Boolean flags only this command accepts. */
  flags: readonly CommandFlag[];
  summary: string;
  description: string;
  example: string;
}

export const commands: readonly Command[] = [
  {
    name: 'wait',
    args: ['instance'],
    flags: [],
    summary: "Wait for a workspace instance's container; print its id",
    description:
      'Waits until the workspace container of workspace instance <instance> exists and its task has been created,\n' +
      'then prints the container id. Returns at once if that is already so. Rides out daemon restarts, so it\n' +
      'waits until the container appears, --timeout passes (exit 124) or Ctrl-C (exit 130).',
    example: 'ID=$(wsruntimectl --timeout 2m wait 0f3c2a8e-4b6d-4c1a-9e77-2d5b8a1f6c30)',
  },
  {
    name: 'wait-stop',
    args: ['instance'],
    flags: [],
    summary: "Wait until a workspace instance's container is deleted",
    description:
      'Waits until the workspace container of workspace instance <instance> has been deleted. Prints nothing\n' +
      '(with --json: {"workspaceInstanceId":…,"stopped":true}); exit 0 means the container is gone. Returns at\n' +
      'once when the instance is unknown or its container is already gone.',
    example: 'wsruntimectl --timeout 5m wait-stop 0f3c2a8e-4b6d-4c1a-9e77-2d5b8a1f6c30 && echo gone',
  },
  {
    name: 'exists',
    args: ['id'],
    flags: [],
    summary: 'Print whether a container exists (true/false)',
    description:
      'Prints true or false: whether containerd knows a container with this id, whatever its state. Exits 0\n' +
      'either way, so a non-zero status always means the question could not be answered (e.g. 5: containerd\n' +
      'unavailable) and is never mistaken for "no".',
    example: 'if [ "$(wsruntimectl exists "$ID")" = true ]; then echo present; fi',
  },
  {
    name: 'upperdir',
    args: ['id'],
    flags: [],
    summary: "Print the container's overlay upperdir",
    description:
      "Prints the container's overlayfs upperdir, as a path this host (or the daemon's path mappings) can reach.\n" +
      "Exit 3 if the container is unknown, 4 if its rootfs is no overlay or the path can't be mapped.",
    example: 'ls "$(wsruntimectl upperdir "$ID")"',
  },
  {
    name: 'rootfs',
    args: ['id'],
    flags: [{ name: 'unmapped', help: "the path in the node's root mount namespace, not translated" }],
    summary: "Print the container's rootfs mount point",
    description:
      "Prints the container's rootfs mount point, translated by the daemon's path mappings. With --unmapped,\n" +
      "prints the path in the node's root mount namespace instead.",
    example: 'wsruntimectl rootfs --unmapped "$ID"',
  },
  {
    name: 'cgroup',
    args: ['id'],
    flags: [],
    summary: "Print the container's cgroup path suffix",
    description:
      "Prints the suffix of the container's cgroup path; join it to the cgroup mount (and controller, on cgroup\n" +
      'v1) to get the full path. Exit 4 if the container has no cgroup.',
    example: 'cat "/sys/fs/cgroup$(wsruntimectl cgroup "$ID")/memory.current"',
  },
  {
    name: 'pid',
    args: ['id'],
    flags: [],
    summary: "Print the PID of the container's init process",
    description: "Prints the PID, in the node's PID namespace, of the container's init process (the root of its namespaces).",
    example: 'nsenter -t "$(wsruntimectl pid "$ID")" -n ip addr',
  },
  {
    name: 'errors',
    args: [],
    flags: [],
    summary: "Follow the daemon's runtime errors, one line each",
    description:
      'Follows the errors the daemon meets while talking to containerd, from now on, one per line:\n' +
      '<time> <kind> <message> (with --json: one JSON object per line). Runs until Ctrl-C (exit 130), --timeout\n' +
      '(exit 124), or the daemon goes away (exit 5).',
    example: 'wsruntimectl --json errors | jq .message',
  },
  {
    name: 'health',
    args: ['service?'],
    flags: [{ name: 'live', help: 'succeed whenever the daemon answers, SERVING or not (a liveness check)' }],
    summary: "Check the daemon's health (grpc.health.v1)",
    description:
      "Asks the daemon's grpc.health.v1 Check for <service> (default: the whole server) and prints the status,\n" +
      'e.g. SERVING. Exit 0 when serving, 5 when not serving or unreachable, 3 for an unknown service. With\n' +
      '--live, exit 0 for any answer: the daemon itself is alive even while containerd is away.',
    example: 'wsruntimectl --timeout 2s health && echo ok',
  },
];

export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

const globalFlagsHelp = `Global flags:
  --socket <path|address>  the daemon's socket, or a gRPC address such as unix:///path or host:port
                           (env WSRUNTIME_SOCKET; default /run/wsruntime/wsruntime.sock)
  --timeout <duration>     give up after this long, e.g. 500ms, 30s, 10m, 1h (exit 124)
  --json                   print one JSON object (per line) instead of the bare value
  -h, --help               show help`;

const exitCodesHelp = `Exit codes:
  0 ok   1 other failure   2 usage or invalid argument   3 not found
  4 no upperdir / no cgroup / path not mappable   5 daemon or containerd unavailable
  124 --timeout passed   130 interrupted (Ctrl-C)`;

function synopsis(c: Command): string {
  const args = c.args.map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : `<${a}>`));
  const flags = c.flags.map((f) => `[--${f.name}]`);
  return [c.name, ...flags, ...args].join(' ');
}

export function toolHelp(): string {
  const width = Math.max(...commands.map((c) => synopsis(c).length));
  const rows = commands.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`).join('\n');
  return `wsruntimectl asks wsruntimed where a workspace pod's container is and what its PID, cgroup,
rootfs and upperdir are.

Usage: wsruntimectl [global flags] <command> [args]

Commands:
${rows}

${globalFlagsHelp}

${exitCodesHelp}

Example:
  nsenter -t "$(wsruntimectl pid "$(wsruntimectl wait "$INSTANCE")")" -n ip addr

Run 'wsruntimectl <command> --help' for more about a command.
`;
}

export function commandHelp(c: Command): string {
  const flags = c.flags.length === 0 ? '' : `\nFlags:\n${c.flags.map((f) => `  ${`--${f.name}`.padEnd(25)}${f.help}\n`).join('')}`;
  return `Usage: wsruntimectl [global flags] ${synopsis(c)}

${c.description}
${flags}
${globalFlagsHelp}

Example:
  ${c.example}
`;
}
