// wsruntimectl's exit statuses, and the one mapping from an error to a status
// and a one-line message.

import { isAbortError } from 'abort-controller-x';
import { ClientError, Status } from 'nice-grpc-common';
import {
  ContainerNotFoundError,
  InvalidArgumentError,
  NoCGroupError,
  NoUpperdirError,
  PathNotMappedError,
  RuntimeUnavailableError,
} from '../../errors.js';
import { isDeadlineExceeded } from '../../client/is-deadline-exceeded.js';
import { UsageError } from './usage-error.js';

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  /** The container has no upperdir or cgroup, or its path cannot be mapped for us. */
  notAvailable: 4,
  unavailable: 5,
  timeout: 124,
  interrupted: 130,
} as const;

export interface Failure {
  code: number;
  message: string;
}

export interface FailureContext {
  /** The daemon's address, named when it cannot be reached. */
  address: string;
  /** The --timeout text, named when it passes. */
  timeout?: string;
  /** The signal that interrupted the call, if any. */
  interruptedBy?: NodeJS.Signals;
}

export function toFailure(error: unknown, context: FailureContext): Failure {
  if (error instanceof UsageError || error instanceof InvalidArgumentError) {
    return { code: ExitCode.usage, message: error.message };
  }
  if (error instanceof ContainerNotFoundError) return { code: ExitCode.notFound, message: error.message };
  if (error instanceof NoUpperdirError || error instanceof NoCGroupError || error instanceof PathNotMappedError) {
    return { code: ExitCode.notAvailable, message: error.message };
  }
  if (error instanceof RuntimeUnavailableError) {
    // grpc-js ends connection errors with an empty "Resolution note:".
    const reason = error.message.replace(/\.?\s*Resolution note:\s*$/, '');
    return { code: ExitCode.unavailable, message: `unavailable (daemon at ${context.address}): ${reason}` };
  }
  if (isDeadlineExceeded(error)) {
    return { code: ExitCode.timeout, message: `timed out after ${context.timeout ?? 'the deadline'}` };
  }
  if (isAbortError(error) && context.interruptedBy) {
    // 128 + signal number, as shells report a process killed by it.
    return { code: context.interruptedBy === 'SIGTERM' ? 143 : ExitCode.interrupted, message: 'interrupted' };
  }
  if (error instanceof ClientError) {
    // NOT_FOUND without a typed detail: e.g. health's unknown service.
    const code = error.code === Status.NOT_FOUND ? ExitCode.notFound : ExitCode.failure;
    return { code, message: `${Status[error.code] ?? error.code}: ${error.details}` };
  }
  if (error instanceof Error) return { code: ExitCode.failure, message: error.message };
  return { code: ExitCode.failure, message: String(error) };
}
