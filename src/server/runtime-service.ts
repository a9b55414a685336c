// RuntimeService on top of a Runtime: validate, call the Runtime with the
// call's AbortSignal, shape the response. Errors pass through untouched; the
// error middleware maps them at the boundary, and the shutdown middleware
// makes context.signal also abort when the daemon stops.

import { ErrorKind, type RuntimeServiceImplementation } from '../../gen/wsruntime/v1/runtime.js';
import type { Runtime, RuntimeErrorKind } from '../runtime.js';
import { requireContainerId, requireWorkspaceInstanceId } from './validation.js';

const errorKinds: Record<RuntimeErrorKind, ErrorKind> = {
  connection: ErrorKind.ERROR_KIND_CONNECTION,
  'event-stream': ErrorKind.ERROR_KIND_EVENT_STREAM,
  sync: ErrorKind.ERROR_KIND_SYNC,
  decode: ErrorKind.ERROR_KIND_DECODE,
};

export function createRuntimeService(runtime: Runtime): RuntimeServiceImplementation {
  return {
    async waitForContainer(request, { signal }) {
      const containerId = await runtime.waitForContainer(requireWorkspaceInstanceId(request.workspaceInstanceId), signal);
      return { containerId };
    },

    async waitForContainerStop(request, { signal }) {
      await runtime.waitForContainerStop(requireWorkspaceInstanceId(request.workspaceInstanceId), signal);
      return {};
    },

    async containerExists(request, { signal }) {
      return { exists: await runtime.containerExists(requireContainerId(request.containerId), signal) };
    },

    async containerUpperdir(request, { signal }) {
      return { path: await runtime.containerUpperdir(requireContainerId(request.containerId), signal) };
    },

    async containerRootfs(request, { signal }) {
      const id = requireContainerId(request.containerId);
      return { path: await runtime.containerRootfs(id, { unmapped: request.unmapped }, signal) };
    },

    async containerCGroupPath(request, { signal }) {
      return { path: await runtime.containerCGroupPath(requireContainerId(request.containerId), signal) };
    },

    async containerPID(request, { signal }) {
      return { pid: await runtime.containerPID(requireContainerId(request.containerId), signal) };
    },

    // The subscription ends with the call: a client cancel or daemon stop
    // aborts `signal`, which ends the Runtime's iterator with an AbortError;
    // an overflowing subscriber ends with SubscriberOverflowError.
    async *errors(_request, { signal }) {
      for await (const event of runtime.errors(signal)) {
        yield { time: event.time, message: event.message, kind: errorKinds[event.kind] ?? ErrorKind.ERROR_KIND_UNSPECIFIED };
      }
    },
  };
}
