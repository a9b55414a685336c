// The gRPC clients wsruntime uses to talk to containerd: one channel on
// containerd's unix socket, and a middleware that scopes every call to one
// containerd namespace (containerd reads it from `containerd-namespace`
// metadata, and refuses calls without it).

import { ClientError, createChannel, createClientFactory, Metadata, Status, type Channel, type Client, type ClientMiddleware } from 'nice-grpc';
import { ContainersDefinition } from '../../gen/containerd/services/containers/v1/containers.js';
import { EventsDefinition } from '../../gen/containerd/services/events/v1/events.js';
import { SnapshotsDefinition } from '../../gen/containerd/services/snapshots/v1/snapshots.js';
import { TasksDefinition } from '../../gen/containerd/services/tasks/v1/tasks.js';
import { VersionDefinition } from '../../gen/containerd/services/version/v1/version.js';

// containerd's own client raises gRPC's 4 MiB default to 16 MiB: container
// records carry whole OCI specs, so a List on a busy node is large.
const maxMessageBytes = 16 << 20;

export interface ContainerdClient {
  readonly containers: Client<typeof ContainersDefinition>;
  readonly tasks: Client<typeof TasksDefinition>;
  readonly snapshots: Client<typeof SnapshotsDefinition>;
  readonly events: Client<typeof EventsDefinition>;
  readonly version: Client<typeof VersionDefinition>;
  close(): void;
}

export function namespaceMiddleware(namespace: string): ClientMiddleware {
  return async function* scopeToNamespace(call, options) {
    const metadata = Metadata(options.metadata).set('containerd-namespace', namespace);
    return yield* call.next(call.request, { ...options, metadata });
  };
}

/** containerd's answer for an id it does not have (errdefs.ErrNotFound). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ClientError && error.code === Status.NOT_FOUND;
}

/** The call failed because the connection to containerd is gone (or never came up). */
export function isConnectionLost(error: unknown): boolean {
  return error instanceof ClientError && error.code === Status.UNAVAILABLE;
}

/** A failed call in a few words, for logs and the Errors stream. */
export function describeError(error: unknown): string {
  if (error instanceof ClientError) return `${Status[error.code]}: ${error.details}`;
  return error instanceof Error ? error.message : String(error);
}

/** `address` is the socket path, as containerd's `--address` takes it. */
export function createContainerdClient(address: string, namespace: string): ContainerdClient {
  const channel: Channel = createChannel(`unix://${address}`, undefined, {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  });
  const factory = createClientFactory().use(namespaceMiddleware(namespace));
  return {
    containers: factory.create(ContainersDefinition, channel),
    tasks: factory.create(TasksDefinition, channel),
    snapshots: factory.create(SnapshotsDefinition, channel),
    events: factory.create(EventsDefinition, channel),
    version: factory.create(VersionDefinition, channel),
    close: () => channel.close(),
  };
}
