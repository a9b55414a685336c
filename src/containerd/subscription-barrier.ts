// Confirms that an event subscription is live before anything relies on it.
//
// containerd gives no sign that a Subscribe has been registered, and a call
// made after it (a List) can overtake it: measured on 1.6.20, an event
// published right after the Subscribe call was usually not delivered. So we
// publish a marker event on a topic of our own and wait until it comes back
// through the subscription, re-publishing while it does not. Other
// subscribers to every topic (e.g. `ctr events`) see these markers; the
// payload is google.protobuf.Empty, which any containerd client can decode.

import { isAbortError } from 'abort-controller-x';
import type { Envelope } from '../../gen/containerd/services/events/v1/events.js';
import type { ContainerdClient } from './containerd-client.js';
import type { EventFeed } from './event-feed.js';

export const markerTopic = '/wsruntime/subscribed';
const markerEvent = { typeUrl: 'google.protobuf.Empty', value: Buffer.alloc(0) };
const attempts = 8;
const firstWaitMs = 25;
const maxWaitMs = 2_000;

/** The subscription filter that lets the markers of `namespace` through. */
export function markerFilter(namespace: string): string {
  return `namespace==${JSON.stringify(namespace)},topic==${JSON.stringify(markerTopic)}`;
}

export class SubscriptionUnconfirmedError extends Error {
  constructor() {
    super(`containerd did not deliver our own marker event after ${attempts} attempts`);
    this.name = 'SubscriptionUnconfirmedError';
  }
}

/**
 * Publishes markers until one arrives on `feed`. Resolves with how many
 * attempts it took and the other events that arrived first (they happened
 * after the subscription was registered and must not be lost).
 */
export async function confirmSubscription(client: ContainerdClient, feed: EventFeed<Envelope>, signal: AbortSignal): Promise<{ attempts: number; early: Envelope[] }> {
  const early: Envelope[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    await client.events.publish({ topic: markerTopic, event: markerEvent }, { signal });
    const seen = await withinMs(signal, Math.min(firstWaitMs * 2 ** attempt, maxWaitMs), async (wait) => {
      for (;;) {
        const envelope = await feed.next(wait);
        if (envelope.topic === markerTopic) return true;
        early.push(envelope);
      }
    });
    if (seen) return { attempts: attempt + 1, early };
  }
  throw new SubscriptionUnconfirmedError();
}

/** Runs `fn` with a signal that also aborts after `ms`; undefined when the time ran out. */
async function withinMs<T>(signal: AbortSignal, ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const child = new AbortController();
  const onAbort = () => child.abort();
  signal.addEventListener('abort', onAbort);
  const timer = setTimeout(onAbort, ms);
  try {
    return await fn(child.signal);
  } catch (error) {
    if (isAbortError(error) && child.signal.aborted && !signal.aborted) return undefined;
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
