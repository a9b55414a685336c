// Starts bare-server-main.ts in its own process (under tsx: the loader only
// acts when modules load, so calls run the same code a compiled server would).

import { fileURLToPath } from 'node:url';
import type { BareAnswers } from './bare-server.js';
import { ServerChild } from './server-child.js';

const main = fileURLToPath(new URL('./bare-server-main.ts', import.meta.url));
// Resolved here, so the child finds tsx whatever its working directory.
const tsx = import.meta.resolve('tsx');

export interface BareServerChild {
  readonly pid: number;
  /** The gRPC address, `unix:///...`. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startBareServerChild(socket: string, answers: BareAnswers, signal: AbortSignal): Promise<BareServerChild> {
  const child = await ServerChild.start({ args: ['--import', tsx, main, socket, JSON.stringify(answers)], readyWhen: 'listening on', signal });
  return { pid: child.pid, address: `unix://${socket}`, stop: () => child.stop() };
}
