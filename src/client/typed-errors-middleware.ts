// Client middleware that turns the daemon's ClientErrors into the typed errors
// of ../errors.ts, so no SDK method maps errors by itself. It must be the
// outermost middleware: retry needs to see the raw ClientError codes.

import type { CallOptions, ClientMiddlewareCall } from 'nice-grpc-common';
import { fromClientError } from '../error-table.js';

export async function* typedErrorsMiddleware<Request, Response>(
  call: ClientMiddlewareCall<Request, Response>,
  options: CallOptions,
) {
  try {
    return yield* call.next(call.request, options);
  } catch (error) {
    throw fromClientError(error);
  }
}
