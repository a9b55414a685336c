// A real nice-grpc server and channel over a unix socket in a fresh temp
// directory, for tests of the daemon's pluggable services. close() ends both
// and removes the directory.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createChannel, type Channel, type Server } from 'nice-grpc';

export interface TempSocketServer {
  address: string;
  channel: Channel;
  close(): Promise<void>;
}

/** Listens `server` (services already added) on a temp unix socket and opens a channel to it. */
export async function listenOnTempSocket(server: Server): Promise<TempSocketServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-test-'));
  // `unix://` + absolute path: nice-grpc passes it to grpc-js as is (a bare
  // `unix:` would get a default port appended).
  const address = `unix://${path.join(dir, 'grpc.sock')}`;
  await server.listen(address);
  const channel = createChannel(address);
  return {
    address,
    channel,
    async close() {
      channel.close();
      // Streams a test leaves open must not hold the test up.
      server.forceShutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
