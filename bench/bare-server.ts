// The baseline for the daemon's own cost: a nice-grpc server on a unix
// socket serving the same RuntimeServiceDefinition with constant answers, no
// middleware, no validation, no backend. Answers are the size of real ones,
// so encoding costs the same.

import { forever } from 'abort-controller-x';
import { createServer } from 'nice-grpc';
import { RuntimeServiceDefinition, type RuntimeServiceImplementation } from '../gen/wsruntime/v1/runtime.js';

export interface BareServer {
  address: string;
  close(): Promise<void>;
}

export interface BareAnswers {
  containerId: string;
  pid: number;
  cgroupPath: string;
  rootfs: string;
  upperdir: string;
}

export async function startBareServer(socketPath: string, answers: BareAnswers): Promise<BareServer> {
  const implementation: RuntimeServiceImplementation = {
    waitForContainer: async () => ({ containerId: answers.containerId }),
    waitForContainerStop: async () => ({}),
    containerExists: async () => ({ exists: true }),
    containerUpperdir: async () => ({ path: answers.upperdir }),
    containerRootfs: async () => ({ path: answers.rootfs }),
    containerCGroupPath: async () => ({ path: answers.cgroupPath }),
    containerPID: async () => ({ pid: answers.pid }),
    // No errors to report: hold the stream until the client goes.
    async *errors(_request, { signal }) {
      await forever(signal);
    },
  };
  const server = createServer();
  server.add(RuntimeServiceDefinition, implementation);
  const address = `unix://${socketPath}`;
  await server.listen(address);
  return { address, close: () => server.shutdown() };
}
