// Maps what handlers throw to gRPC statuses through the one error table, at
// the boundary, so handlers stay plain. Anything the table does not know is a
// bug: it is logged here, once (not left to nice-grpc's process warning), and
// sent as UNKNOWN with only an incident id that finds the log line, since its
// message may name internals (paths, property names). Every status message
// leaving the daemon is bounded, whoever wrote it (health's NOT_FOUND repeats
// the service name it was asked about).

import { randomBytes } from 'node:crypto';
import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';
import { RichServerError } from 'nice-grpc-error-details';
import type { Logger } from 'pino';
import { toServerError } from '../error-table.js';

// The message travels in grpc-message and again in grpc-status-details-bin,
// both trailers; grpc-js cannot send a trailer block over 64 KiB, and a
// client whose trailers were cut off half-way hangs with its whole
// connection. 2048 characters stay far below that even percent-encoded.
export const maxStatusMessageLength = 2_048;

export function createErrorMiddleware(logger: Logger): ServerMiddleware {
  return async function* errorMiddleware(call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      const mapped = toServerError(error);
      if (mapped instanceof ServerError) {
        logger.debug({ method: call.method.path, code: Status[mapped.code], details: mapped.details.slice(0, maxStatusMessageLength) }, 'call failed');
        throw bounded(mapped);
      }
      if (isAbortError(mapped)) throw mapped;
      const incident = randomBytes(4).toString('hex');
      logger.error({ err: error, method: call.method.path, incident }, 'unexpected error in a handler');
      throw new ServerError(Status.UNKNOWN, `unexpected error in wsruntimed (incident ${incident} in its log)`);
    }
  };
}

function bounded(error: ServerError): ServerError {
  if (error.details.length <= maxStatusMessageLength) return error;
  const details = `${error.details.slice(0, maxStatusMessageLength)}… (${error.details.length} characters in all)`;
  return error instanceof RichServerError ? new RichServerError(error.code, details, error.extra) : new ServerError(error.code, details);
}
