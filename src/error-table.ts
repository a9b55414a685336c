// The one place where Runtime errors meet gRPC statuses, in both directions
// (like containerd's errgrpc.ToGRPC / ToNative). The daemon applies
// toServerError at its boundary; the SDK applies fromClientError to what the
// daemon sent. Sentinels travel as typed details of package wsruntime.v1,
// packed as google.protobuf.Any into google.rpc.Status.

import { Status, ClientError } from 'nice-grpc-common';
import { Any, BadRequest, ErrorInfo, RichClientError, RichServerError, type ErrorDetails } from 'nice-grpc-error-details';
import { ContainerNotFound, NoCGroup, NoUpperdir, PathNotMapped } from '../gen/wsruntime/v1/runtime.js';
import {
  ContainerNotFoundError,
  InvalidArgumentError,
  NoCGroupError,
  NoUpperdirError,
  PathNotMappedError,
  RuntimeUnavailableError,
  SubscriberOverflowError,
  WsRuntimeError,
} from './errors.js';

const typeUrlPrefix = 'type.googleapis.com/';
const errorDomain = 'wsruntime.v1';
const overflowReason = 'SUBSCRIBER_OVERFLOW';

interface Codec<M> {
  encode(message: M): { finish(): Uint8Array };
  decode(bytes: Uint8Array): M;
}

/** One row: a sentinel class, its code, and its typed detail. */
interface Row<E extends WsRuntimeError, M> {
  error: abstract new (...args: never[]) => E;
  code: Status;
  typeName: string;
  codec: Codec<M>;
  toDetail(error: E): M;
  fromDetail(detail: M): E;
}

function row<E extends WsRuntimeError, M>(r: Row<E, M>): Row<WsRuntimeError, unknown> {
  return r as unknown as Row<WsRuntimeError, unknown>;
}

const rows = [
  row({
    error: ContainerNotFoundError,
    code: Status.NOT_FOUND,
    typeName: 'wsruntime.v1.ContainerNotFound',
    codec: ContainerNotFound,
    toDetail: (e) => ({ containerId: e.containerId, workspaceInstanceId: e.workspaceInstanceId }),
    fromDetail: (d) => new ContainerNotFoundError(d),
  }),
  row({
    error: NoUpperdirError,
    code: Status.FAILED_PRECONDITION,
    typeName: 'wsruntime.v1.NoUpperdir',
    codec: NoUpperdir,
    toDetail: (e) => ({ containerId: e.containerId }),
    fromDetail: (d) => new NoUpperdirError(d.containerId),
  }),
  row({
    error: NoCGroupError,
    code: Status.FAILED_PRECONDITION,
    typeName: 'wsruntime.v1.NoCGroup',
    codec: NoCGroup,
    toDetail: (e) => ({ containerId: e.containerId }),
    fromDetail: (d) => new NoCGroupError(d.containerId),
  }),
  row({
    error: PathNotMappedError,
    code: Status.FAILED_PRECONDITION,
    typeName: 'wsruntime.v1.PathNotMapped',
    codec: PathNotMapped,
    toDetail: (e) => ({ containerId: e.containerId, nodePath: e.nodePath, reason: e.reason }),
    fromDetail: (d) => new PathNotMappedError(d),
  }),
];

/**
 * Turns what a Runtime threw into what a nice-grpc handler should throw.
 * AbortErrors and anything unknown pass through untouched (nice-grpc makes
 * them CANCELLED and UNKNOWN respectively).
 */
export function toServerError(error: unknown): unknown {
  for (const r of rows) {
    if (error instanceof r.error) {
      const value = r.codec.encode(r.toDetail(error)).finish();
      return new RichServerError(r.code, error.message, [Any.fromPartial({ typeUrl: typeUrlPrefix + r.typeName, value })]);
    }
  }
  if (error instanceof InvalidArgumentError) {
    return new RichServerError(Status.INVALID_ARGUMENT, error.message, [
      BadRequest.fromPartial({ fieldViolations: error.violations.map((v) => ({ field: v.field, description: v.description })) }),
    ]);
  }
  if (error instanceof RuntimeUnavailableError) {
    return new RichServerError(Status.UNAVAILABLE, error.message);
  }
  if (error instanceof SubscriberOverflowError) {
    return new RichServerError(Status.RESOURCE_EXHAUSTED, error.message, [
      ErrorInfo.fromPartial({ reason: overflowReason, domain: errorDomain, metadata: { capacity: String(error.capacity) } }),
    ]);
  }
  return error;
}

/**
 * Turns a ClientError from the daemon back into the typed error it stands
 * for. Codes without a typed meaning stay ClientErrors, except UNAVAILABLE,
 * which is always RuntimeUnavailableError.
 */
export function fromClientError(error: unknown): unknown {
  if (!(error instanceof ClientError)) return error;
  const details: ErrorDetails[] = error instanceof RichClientError ? error.extra : [];
  for (const detail of details) {
    if (detail.$type === 'google.protobuf.Any') {
      const r = rows.find((r) => detail.typeUrl === typeUrlPrefix + r.typeName);
      if (r) return withCause(r.fromDetail(r.codec.decode(detail.value)), error);
    } else if (detail.$type === 'google.rpc.BadRequest' && error.code === Status.INVALID_ARGUMENT) {
      // Plain violations: the decoded messages also carry a `$type` tag.
      const violations = detail.fieldViolations.map(({ field, description }) => ({ field, description }));
      return withCause(new InvalidArgumentError(violations), error);
    } else if (detail.$type === 'google.rpc.ErrorInfo' && detail.reason === overflowReason && detail.domain === errorDomain) {
      return withCause(new SubscriberOverflowError(Number(detail.metadata.capacity)), error);
    }
  }
  if (error.code === Status.UNAVAILABLE) {
    return new RuntimeUnavailableError(error.details, { cause: error });
  }
  return error;
}

function withCause<E extends Error>(typed: E, cause: ClientError): E {
  Object.defineProperty(typed, 'cause', { value: cause, enumerable: false });
  return typed;
}
