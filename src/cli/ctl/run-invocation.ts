// Runs one parsed wsruntimectl invocation against the daemon and writes its
// output. Loaded lazily by the entry point: it pulls in gRPC.

import { createRuntimeClient, RuntimeUnavailableError, type RuntimeCallOptions, type RuntimeClient } from '../../client/index.js';
import { ExitCode, toFailure } from './exit-codes.js';
import { checkHealth } from './health-check.js';
import type { Invocation } from './parse-command-line.js';

export interface InvocationIo {
  out(line: string): void;
  err(line: string): void;
  signal: AbortSignal;
  /** Which signal (SIGINT, SIGTERM) aborted `signal`, if one did. */
  interruptedBy(): NodeJS.Signals | undefined;
}

/** Returns the exit status. */
export async function runInvocation(invocation: Invocation, io: InvocationIo): Promise<number> {
  const waits = invocation.command.name === 'wait' || invocation.command.name === 'wait-stop';
  let toldRetrying = false;
  const client = createRuntimeClient({
    socket: invocation.socket,
    // A wait rides out daemon restarts silently in the SDK; a person at a
    // terminal should learn why nothing happens, once.
    onRetry: waits
      ? (event) => {
          if (toldRetrying) return;
          toldRetrying = true;
          io.err(`wsruntimectl: daemon at ${client.address} unavailable (${oneLine(event.error.message)}); still waiting`);
        }
      : undefined,
  });
  const call: RuntimeCallOptions = { signal: io.signal, deadline: invocation.timeout?.ms };
  try {
    await execute(client, invocation, call, (bare, json) => {
      if (invocation.json) io.out(JSON.stringify(json));
      else if (bare !== undefined) io.out(bare);
    });
    return ExitCode.ok;
  } catch (error) {
    const failure = toFailure(error, { address: client.address, timeout: invocation.timeout?.text, interruptedBy: io.interruptedBy() });
    io.err(`wsruntimectl: ${oneLine(failure.message)}`);
    return failure.code;
  } finally {
    client.close();
  }
}

type Emit = (bare: string | undefined, json: object) => void;

async function execute(client: RuntimeClient, invocation: Invocation, call: RuntimeCallOptions, emit: Emit): Promise<void> {
  const [arg = ''] = invocation.args;
  switch (invocation.command.name) {
    case 'wait': {
      const containerId = await client.waitForContainer(arg, call);
      return emit(containerId, { workspaceInstanceId: arg, containerId });
    }
    case 'wait-stop':
      await client.waitForContainerStop(arg, call);
      return emit(undefined, { workspaceInstanceId: arg, stopped: true });
    case 'exists': {
      const exists = await client.containerExists(arg, call);
      return emit(String(exists), { containerId: arg, exists });
    }
    case 'upperdir': {
      const path = await client.containerUpperdir(arg, call);
      return emit(path, { containerId: arg, upperdir: path });
    }
    case 'rootfs': {
      const path = await client.containerRootfs(arg, { ...call, unmapped: invocation.unmapped });
      return emit(path, { containerId: arg, rootfs: path, unmapped: invocation.unmapped });
    }
    case 'cgroup': {
      const path = await client.containerCGroupPath(arg, call);
      return emit(path, { containerId: arg, cgroupPath: path });
    }
    case 'pid': {
      const pid = await client.containerPID(arg, call);
      return emit(String(pid), { containerId: arg, pid });
    }
    case 'errors':
      for await (const event of client.errors(call)) {
        emit(`${event.time.toISOString()} ${event.kind} ${oneLine(event.message)}`, {
          time: event.time.toISOString(),
          kind: event.kind,
          message: event.message,
        });
      }
      return;
    case 'health': {
      const status = await checkHealth(client.address, arg, call);
      emit(status, { service: arg, status });
      // Answered, but not SERVING: for a script that is an unavailable daemon
      // (exit 5), unless all it asks is whether the daemon is alive.
      if (status !== 'SERVING' && !invocation.live) throw new RuntimeUnavailableError(`health status is ${status}`);
      return;
    }
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
