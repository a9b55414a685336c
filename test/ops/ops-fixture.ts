// The ops surface of a real daemon (startDaemon with the real backend on a
// private containerd, metrics on a free loopback port), plus raw gRPC clients
// for RuntimeService and grpc.health.v1 over the daemon's socket.

import { createChannel, createClient, type Channel } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import type { ContainerdRuntime } from '../../src/containerd/containerd-runtime.js';
import { startStackDaemon } from '../support/stack-daemon.js';
import type { TestStack } from '../support/stack.js';

export interface OpsFixture {
  stack: TestStack;
  runtime: ContainerdRuntime;
  metricsUrl: string;
  health: ReturnType<typeof createClient<typeof HealthDefinition>>;
  client: ReturnType<typeof createClient<typeof RuntimeServiceDefinition>>;
  close(): Promise<void>;
}

export async function startOpsFixture(): Promise<OpsFixture> {
  // Quick reconnects keep the restart tests short.
  const fx = await startStackDaemon({ metrics: true, backoff: { initialMs: 50, maxMs: 200 } });
  const channel: Channel = createChannel(fx.daemon.address);
  let closing: Promise<void> | undefined;
  return {
    stack: fx.stack,
    runtime: fx.runtime,
    metricsUrl: fx.daemon.metricsUrl!,
    health: createClient(HealthDefinition, channel),
    client: createClient(RuntimeServiceDefinition, channel),
    close: () =>
      (closing ??= (async () => {
        channel.close();
        await fx.close();
      })()),
  };
}
