// wsruntime/client: the TypeScript SDK of wsruntimed. Exported by name so the
// public surface is exactly this list.

export { createRuntimeClient } from './runtime-client.js';
export type { RuntimeClient, RootfsCallOptions } from './runtime-client.js';
export { defaultSocket } from './runtime-client-options.js';
export type { RetryEvent, RuntimeClientOptions } from './runtime-client-options.js';
export type { RuntimeCallOptions } from './runtime-call-options.js';
export type { RuntimeErrorEvent } from './runtime-error-event.js';
export type { ContainerId, RuntimeErrorKind } from '../runtime.js';
export { isDeadlineExceeded } from './is-deadline-exceeded.js';
export {
  ContainerNotFoundError,
  InvalidArgumentError,
  NoCGroupError,
  NoUpperdirError,
  PathNotMappedError,
  RuntimeUnavailableError,
  SubscriberOverflowError,
  WsRuntimeError,
} from '../errors.js';
export type { FieldViolation } from '../errors.js';
// So callers can tell a cancelled call apart without depending on abort-controller-x.
export { AbortError, isAbortError } from 'abort-controller-x';
