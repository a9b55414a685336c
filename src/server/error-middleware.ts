// Maps what handlers throw to gRPC statuses through the one error table, at
// the boundary, so handlers stay plain. Anything the table does not know is a
// bug: it is logged here (not left to nice-grpc's process warning) and sent
// as UNKNOWN.

import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';
import type { Logger } from 'pino';
import { toServerError } from '../error-table.js';

export function createErrorMiddleware(logger: Logger): ServerMiddleware {
  return async function* errorMiddleware(call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      const mapped = toServerError(error);
      if (mapped instanceof ServerError) {
        logger.debug({ method: call.method.path, code: Status[mapped.code], details: mapped.details }, 'call failed');
        throw mapped;
      }
      if (isAbortError(mapped)) throw mapped;
      logger.error({ err: error, method: call.method.path }, 'unexpected error in a handler');
      const message = error instanceof Error ? error.message : String(error);
      throw new ServerError(Status.UNKNOWN, `unexpected error in wsruntimed: ${message}`);
    }
  };
}
