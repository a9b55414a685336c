import { ClientError, Status } from 'nice-grpc-common';

/**
 * Whether a call failed because its deadline passed, so callers need not
 * import gRPC status codes to tell a timeout from other failures.
 */
export function isDeadlineExceeded(error: unknown): boolean {
  return error instanceof ClientError && error.code === Status.DEADLINE_EXCEEDED;
}
