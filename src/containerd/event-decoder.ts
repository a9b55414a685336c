// Decodes the events wsruntime acts on from containerd's envelopes. The
// Any's type URL is containerd's message name (`containerd.events.TaskCreate`,
// with no `type.googleapis.com/` prefix); it must agree with the topic.

import { ContainerCreate, ContainerDelete, ContainerUpdate } from '../../gen/containerd/events/container.js';
import { TaskCreate, TaskDelete, TaskExit, TaskStart } from '../../gen/containerd/events/task.js';
import type { Envelope } from '../../gen/containerd/services/events/v1/events.js';

export type ContainerdEvent =
  | { topic: '/containers/create'; event: ContainerCreate }
  | { topic: '/containers/update'; event: ContainerUpdate }
  | { topic: '/containers/delete'; event: ContainerDelete }
  | { topic: '/tasks/create'; event: TaskCreate }
  | { topic: '/tasks/start'; event: TaskStart }
  | { topic: '/tasks/exit'; event: TaskExit }
  | { topic: '/tasks/delete'; event: TaskDelete };

type Topic = ContainerdEvent['topic'];
type EventOf<T extends Topic> = Extract<ContainerdEvent, { topic: T }>['event'];

const decoders: { [T in Topic]: { typeName: string; codec: { decode(input: Uint8Array): EventOf<T> } } } = {
  '/containers/create': { typeName: 'containerd.events.ContainerCreate', codec: ContainerCreate },
  '/containers/update': { typeName: 'containerd.events.ContainerUpdate', codec: ContainerUpdate },
  '/containers/delete': { typeName: 'containerd.events.ContainerDelete', codec: ContainerDelete },
  '/tasks/create': { typeName: 'containerd.events.TaskCreate', codec: TaskCreate },
  '/tasks/start': { typeName: 'containerd.events.TaskStart', codec: TaskStart },
  '/tasks/exit': { typeName: 'containerd.events.TaskExit', codec: TaskExit },
  '/tasks/delete': { typeName: 'containerd.events.TaskDelete', codec: TaskDelete },
};

export class EventDecodeError extends Error {
  constructor(topic: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot decode containerd event ${topic}: ${reason}`, options);
    this.name = 'EventDecodeError';
  }
}

function isDecoded(topic: string): topic is Topic {
  return Object.hasOwn(decoders, topic);
}

/** The event, or undefined for a topic wsruntime does not act on (e.g. /tasks/oom). */
export function decodeEvent(envelope: Envelope): ContainerdEvent | undefined {
  const { topic } = envelope;
  if (!isDecoded(topic)) return undefined;
  const { typeName, codec } = decoders[topic];
  const any = envelope.event;
  if (!any) throw new EventDecodeError(topic, 'the envelope carries no event');
  const typeUrl = any.typeUrl;
  if (typeUrl !== typeName && !typeUrl.endsWith(`/${typeName}`)) throw new EventDecodeError(topic, `unexpected type ${JSON.stringify(typeUrl)}`);
  try {
    return { topic, event: codec.decode(any.value) } as ContainerdEvent;
  } catch (error) {
    throw new EventDecodeError(topic, error instanceof Error ? error.message : String(error), { cause: error });
  }
}
