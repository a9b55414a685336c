// The errors a Runtime reports, shared by the daemon (which maps them to gRPC
// statuses in one table) and the client SDK (which decodes them back). Each
// class brands its instances so `instanceof` holds across copies of this
// package, as nice-grpc does for its own errors.

const brands = Symbol.for('wsruntime.errorBrands');

type Branded = { [brands]?: readonly string[] };

export class WsRuntimeError extends Error {
  static readonly brand: string = 'WsRuntimeError';

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const own = (value as Branded)[brands];
    return Array.isArray(own) && own.includes(this.brand);
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const chain: string[] = [];
    for (let c = new.target as typeof WsRuntimeError; c !== Error.prototype.constructor; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) chain.push(c.brand);
      if (c === WsRuntimeError) break;
    }
    Object.defineProperty(this, brands, { value: chain });
    this.name = new.target.brand;
  }
}

/** Seed: ErrNotFound. The container, or the workspace's container, is not known. */
export class ContainerNotFoundError extends WsRuntimeError {
  static override readonly brand = 'ContainerNotFoundError';
  readonly containerId: string;
  readonly workspaceInstanceId: string;

  constructor(ids: { containerId?: string; workspaceInstanceId?: string }) {
    const what = ids.containerId
      ? `container ${JSON.stringify(ids.containerId)}`
      : `workspace container of instance ${JSON.stringify(ids.workspaceInstanceId ?? '')}`;
    super(`${what} not found`);
    this.containerId = ids.containerId ?? '';
    this.workspaceInstanceId = ids.workspaceInstanceId ?? '';
  }
}

/** Seed: ErrNoUpperdir. The container's rootfs is not an overlay mount. */
export class NoUpperdirError extends WsRuntimeError {
  static override readonly brand = 'NoUpperdirError';
  constructor(readonly containerId: string) {
    super(`container ${JSON.stringify(containerId)} has no upperdir available`);
  }
}

/** Seed: ErrNoCGroup. The container's spec names no cgroup. */
export class NoCGroupError extends WsRuntimeError {
  static override readonly brand = 'NoCGroupError';
  constructor(readonly containerId: string) {
    super(`container ${JSON.stringify(containerId)} has no cgroup available`);
  }
}

/** A node path cannot be translated into one the caller can reach. */
export class PathNotMappedError extends WsRuntimeError {
  static override readonly brand = 'PathNotMappedError';
  readonly containerId: string;
  readonly nodePath: string;
  readonly reason: string;

  constructor(fields: { containerId: string; nodePath: string; reason: string }) {
    super(`path ${JSON.stringify(fields.nodePath)} of container ${JSON.stringify(fields.containerId)} cannot be mapped: ${fields.reason}`);
    this.containerId = fields.containerId;
    this.nodePath = fields.nodePath;
    this.reason = fields.reason;
  }
}

/** The container runtime (or, seen from a client, the daemon) cannot be reached now. */
export class RuntimeUnavailableError extends WsRuntimeError {
  static override readonly brand = 'RuntimeUnavailableError';
}

export interface FieldViolation {
  field: string;
  description: string;
}

/** A request named something that can never be valid. */
export class InvalidArgumentError extends WsRuntimeError {
  static override readonly brand = 'InvalidArgumentError';
  constructor(readonly violations: readonly FieldViolation[]) {
    super(`invalid argument: ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`);
  }
}

/** An Errors subscriber fell so far behind that its buffer overflowed. */
export class SubscriberOverflowError extends WsRuntimeError {
  static override readonly brand = 'SubscriberOverflowError';
  constructor(readonly capacity: number) {
    super(`errors subscriber fell behind by more than ${capacity} errors and was dropped`);
  }
}
