// A real wsruntimed (startDaemon) serving a RuntimeDouble on a socket in a
// fresh temp dir: what the SDK and CLI tests talk to. Shared by both.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { compileDaemonOptions } from '../../src/server/daemon-options.js';
import { startDaemon, type Daemon } from '../../src/server/daemon.js';
import { RuntimeDouble } from '../support/runtime-double.js';

export interface DoubleDaemon {
  socket: string;
  runtime: RuntimeDouble;
  daemon: Daemon;
  /** Stops this daemon and starts a new one, on a new double, at the same socket. */
  restart(runtime?: RuntimeDouble): Promise<void>;
  close(): Promise<void>;
}

const silent = pino({ level: 'silent' });

export async function startDoubleDaemon(runtime = new RuntimeDouble()): Promise<DoubleDaemon> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-client-'));
  const socket = path.join(dir, 'wsruntime.sock');
  const options = compileDaemonOptions({ socket });
  const start = (r: RuntimeDouble) => startDaemon({ options, runtime: r, logger: silent, shutdownGraceMs: 1_000 });
  const fixture: DoubleDaemon = {
    socket,
    runtime,
    daemon: await start(runtime),
    async restart(next = new RuntimeDouble()) {
      await fixture.daemon.stop();
      fixture.runtime = next;
      fixture.daemon = await start(next);
    },
    async close() {
      await fixture.daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
