// The demo's options: flags, environment and defaults in one place.

import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const demoUsage = `Usage: npm run demo -- [--socket PATH] [--containerd-address PATH]

Creates a demo workspace pod through CRI and shows what wsruntimed reports
about its container, then removes it. Run 'npm start' (as root) first.

  --socket PATH              the daemon's socket (env WSRUNTIME_SOCKET;
                             default /run/wsruntime/wsruntime.sock)
  --containerd-address PATH  the daemon's containerd (env WSRUNTIME_CONTAINERD_ADDRESS;
                             default dev-containerd.sock next to the daemon's
                             socket if npm start made one, else
                             /run/containerd/containerd.sock)
`;

export interface DemoOptions {
  socket: string;
  /** A socket path, without `unix://`. */
  containerdAddress: string;
}

/** The options, or undefined when help was asked for. */
export async function parseDemoOptions(argv: string[], env: NodeJS.ProcessEnv): Promise<DemoOptions | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: { socket: { type: 'string' }, 'containerd-address': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return undefined;
  const socket = values.socket ?? (env.WSRUNTIME_SOCKET || '/run/wsruntime/wsruntime.sock');
  // scripts/start.ts links a private containerd's socket here.
  const devLink = path.join(path.dirname(socket.replace(/^unix:(\/\/)?/, '')), 'dev-containerd.sock');
  const containerdAddress =
    values['containerd-address'] ??
    (env.WSRUNTIME_CONTAINERD_ADDRESS || ((await lstat(devLink).then(() => true, () => false)) ? devLink : '/run/containerd/containerd.sock'));
  return { socket, containerdAddress: containerdAddress.replace(/^unix:\/\//, '') };
}
