// wsruntimectl's command line, parsed with node:util parseArgs into either a
// help text to print or an invocation to run. Throws UsageError (exit 2).

import { parseArgs } from 'node:util';
import { defaultSocket } from '../../client/runtime-client-options.js';
import { commandHelp, findCommand, toolHelp, type Command, type CommandFlagName } from './commands.js';
import { parseDuration } from './parse-duration.js';
import { UsageError } from './usage-error.js';

export interface Invocation {
  command: Command;
  args: string[];
  unmapped: boolean;
  live: boolean;
  json: boolean;
  /** A socket path or gRPC address, as given. */
  socket: string;
  timeout?: { text: string; ms: number };
}

export type CommandLine = { kind: 'help'; text: string } | { kind: 'run'; invocation: Invocation };

// Global flags may stand before or after the command, as with kubectl.
const options = {
  socket: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  // Command flags; each command says which it accepts.
  unmapped: { type: 'boolean' },
  live: { type: 'boolean' },
} as const;

const commandFlagNames: readonly CommandFlagName[] = ['unmapped', 'live'];

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs explains itself ("Unknown option '--x'…"); keep its first sentence.
    throw new UsageError(error instanceof Error ? error.message.split('. ')[0]! : String(error));
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;

  if (name === undefined) {
    if (values.help) return { kind: 'help', text: toolHelp() };
    throw new UsageError('no command given');
  }
  if (name === 'help') {
    if (args.length === 0) return { kind: 'help', text: toolHelp() };
    return { kind: 'help', text: commandHelp(lookUp(args[0]!)) };
  }
  const command = lookUp(name);
  if (values.help) return { kind: 'help', text: commandHelp(command) };

  const required = command.args.filter((a) => !a.endsWith('?'));
  if (args.length < required.length) throw new UsageError(`${command.name}: missing <${required[args.length]}>`);
  if (args.length > command.args.length) throw new UsageError(`${command.name}: unexpected argument ${JSON.stringify(args[command.args.length])}`);
  for (const flag of commandFlagNames) {
    if (values[flag] && !command.flags.some((f) => f.name === flag)) throw new UsageError(`${command.name}: unknown flag --${flag}`);
  }

  const socket = values.socket ?? (env.WSRUNTIME_SOCKET || defaultSocket);
  if (socket === '') throw new UsageError('--socket must not be empty');
  const timeout = values.timeout === undefined ? undefined : { text: values.timeout, ms: parseDuration(values.timeout) };

  return {
    kind: 'run',
    invocation: { command, args, unmapped: values.unmapped ?? false, live: values.live ?? false, json: values.json ?? false, socket, timeout },
  };
}

function lookUp(name: string): Command {
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return command;
}
