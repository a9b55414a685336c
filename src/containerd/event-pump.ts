// Keeps the workspace index in step with containerd, for as long as it runs.
//
// One session: connect (Version), subscribe to the namespace's container and
// task events, make sure the subscription is live, list containers and tasks
// and make the index equal to that listing, then apply events one by one in
// order. Subscribing before listing means nothing that happens in between is
// lost; the events that overlap the listing are applied again, which the
// index's handlers tolerate (containerd repeats some events after a restart
// too). Any failure ends the session: it is reported, and a new session
// follows after a capped exponential backoff, forever, until close().
//
// "Make sure the subscription is live" is subscription-barrier.ts: containerd
// does not confirm a Subscribe, and a List can overtake it.

import { delay } from 'abort-controller-x';
import type { Logger } from 'pino';
import type { Container } from '../../gen/containerd/services/containers/v1/containers.js';
import type { Envelope } from '../../gen/containerd/services/events/v1/events.js';
import type { RuntimeErrorKind } from '../runtime.js';
import { classifyRecord, SpecDecodeError, type WorkspaceRecord, type WorkspaceSelector } from './container-record.js';
import { createContainerdClient, describeError, isNotFound, type ContainerdClient } from './containerd-client.js';
import { decodeEvent, EventDecodeError, type ContainerdEvent } from './event-decoder.js';
import { EventFeed, EventStreamEndedError } from './event-feed.js';
import type { PathMapper } from './path-mapper.js';
import { rootfsOfBundle } from './rootfs.js';
import { confirmSubscription, markerFilter, markerTopic } from './subscription-barrier.js';
import type { WorkspaceIndex } from './workspace-index.js';
import { listWorkspaces } from './workspace-listing.js';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: Backoff = { initialMs: 100, maxMs: 5_000 };

export interface EventPumpOptions {
  address: string;
  namespace: string;
  selector: WorkspaceSelector;
  index: WorkspaceIndex;
  /** Turns rootfs mount points seen by the daemon back into node paths. */
  mapper: PathMapper;
  logger: Logger;
  /** Called once for every failure talking to containerd. */
  report(kind: RuntimeErrorKind, message: string): void;
  /** Called when `ready` (connected and the index in sync) changes. */
  onReadyChange(ready: boolean): void;
  backoff?: Backoff;
}

export interface PumpStats {
  connected: boolean;
  eventsHandled: Record<string, number>;
  resyncs: number;
  reconnects: number;
}

/** Why a session ended, in the terms of the Errors stream. */
class SessionFailure extends Error {
  constructor(
    readonly kind: RuntimeErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SessionFailure';
  }
}

export class EventPump {
  readonly #o: EventPumpOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  readonly #eventsHandled: Record<string, number> = Object.create(null) as Record<string, number>;
  #running: Promise<void> | undefined;
  #client: ContainerdClient | undefined;
  #connected = false;
  #ready = false;
  #resyncs = 0;
  #reconnects = 0;

  constructor(options: EventPumpOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#backoff = options.backoff ?? defaultBackoff;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** The live session's client, only while ready. */
  get client(): ContainerdClient | undefined {
    return this.#ready ? this.#client : undefined;
  }

  stats(): PumpStats {
    return { connected: this.#connected, eventsHandled: { ...this.#eventsHandled }, resyncs: this.#resyncs, reconnects: this.#reconnects };
  }

  start(): void {
    this.#running ??= this.#run(this.#abort.signal);
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let synced = false;
    while (!signal.aborted) {
      const client = createContainerdClient(this.#o.address, this.#o.namespace);
      this.#client = client;
      try {
        await this.#session(client, signal, () => {
          if (synced) this.#reconnects++;
          if (failures > 0) this.#log.info({ failures }, 'containerd connection restored');
          synced = true;
          failures = 0;
        });
      } catch (error) {
        if (!signal.aborted) {
          const failure = error instanceof SessionFailure ? error : new SessionFailure('event-stream', describeError(error), { cause: error });
          failures++;
          // The first failure of an outage is news; the retries are not.
          this.#log[failures === 1 ? 'warn' : 'debug']({ kind: failure.kind, err: failure.cause ?? failure, failures }, failure.message);
          this.#o.report(failure.kind, failure.message);
        }
      } finally {
        this.#setReady(false);
        this.#connected = false;
        this.#client = undefined;
        client.close();
      }
      if (signal.aborted) break;
      const wait = Math.min(this.#backoff.initialMs * 2 ** (failures - 1), this.#backoff.maxMs);
      await delay(signal, wait).catch(() => undefined);
    }
  }

  /** One connection's life; returns only by throwing. */
  async #session(client: ContainerdClient, outer: AbortSignal, onSynced: () => void): Promise<never> {
    // Ending the session cancels its stream and any call in flight.
    const session = new AbortController();
    const onAbort = () => session.abort();
    outer.addEventListener('abort', onAbort);
    const signal = session.signal;
    try {
      try {
        const version = await client.version.version({}, { signal });
        this.#log.debug({ version: version.version, address: this.#o.address }, 'connected to containerd');
      } catch (error) {
        throw new SessionFailure('connection', `cannot reach containerd at ${this.#o.address}: ${describeError(error)}`, { cause: error });
      }
      this.#connected = true;

      const feed = new EventFeed(client.events.subscribe({ filters: this.#subscriptionFilters() }, { signal }));
      let early: Envelope[];
      try {
        const confirmed = await confirmSubscription(client, feed, signal);
        this.#log.debug({ attempts: confirmed.attempts }, 'event subscription confirmed');
        early = confirmed.early;
      } catch (error) {
        if (signal.aborted) throw error;
        throw new SessionFailure('event-stream', `cannot subscribe to containerd events: ${describeError(error)}`, { cause: error });
      }

      await this.#resync(client, signal);
      onSynced();
      this.#setReady(true);

      for (const envelope of early) await this.#apply(client, envelope, signal);
      for (;;) {
        let envelope: Envelope;
        try {
          envelope = await feed.next(signal);
        } catch (error) {
          if (error instanceof EventStreamEndedError) throw new SessionFailure('event-stream', 'containerd ended the event stream', { cause: error });
          throw new SessionFailure('event-stream', `containerd event stream failed: ${describeError(error)}`, { cause: error });
        }
        await this.#apply(client, envelope, signal);
      }
    } finally {
      outer.removeEventListener('abort', onAbort);
      session.abort();
    }
  }

  #subscriptionFilters(): string[] {
    const ns = `namespace==${JSON.stringify(this.#o.namespace)}`;
    return [`${ns},topic~="^/containers/"`, `${ns},topic~="^/tasks/"`, markerFilter(this.#o.namespace)];
  }

  /** Lists containers and tasks and makes the index equal to them. */
  async #resync(client: ContainerdClient, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const index = this.#o.index;
    try {
      const listing = await listWorkspaces(
        client,
        {
          namespace: this.#o.namespace,
          selector: this.#o.selector,
          classify: (container) => this.#classify(container),
          knownTask: (id) => index.taskOf(id),
          toNodePath: (p) => this.#o.mapper.toNode(p),
          onMountTableError: (error) => this.#log.warn({ err: error }, 'cannot read the mount table; rootfs of listed tasks stays unknown'),
          onSnapshotError: (containerId, error) => {
            const message = `cannot get the snapshot mounts of container ${containerId}; its upperdir stays unknown: ${describeError(error)}`;
            this.#log.warn({ containerId, err: error }, message);
            this.#o.report('sync', message);
          },
        },
        signal,
      );
      index.replaceAll(listing.records, listing.tasks);
      this.#resyncs++;
      const ms = Math.round(performance.now() - started);
      this.#log.info({ containers: listing.containersListed, tasks: listing.tasksListed, workspaces: index.size, ms }, 'index in sync with containerd');
    } catch (error) {
      if (signal.aborted) throw error;
      throw new SessionFailure('sync', `cannot list containerd's containers and tasks: ${describeError(error)}`, { cause: error });
    }
  }

  #classify(container: Container): WorkspaceRecord | undefined {
    try {
      return classifyRecord(container, this.#o.selector);
    } catch (error) {
      if (!(error instanceof SpecDecodeError)) throw error;
      this.#log.warn({ containerId: container.id, err: error }, error.message);
      this.#o.report('decode', error.message);
      return undefined;
    }
  }

  async #apply(client: ContainerdClient, envelope: Envelope, signal: AbortSignal): Promise<void> {
    if (envelope.topic === markerTopic) return;
    this.#eventsHandled[envelope.topic] = (this.#eventsHandled[envelope.topic] ?? 0) + 1;
    let event: ContainerdEvent | undefined;
    try {
      event = decodeEvent(envelope);
    } catch (error) {
      // The index may have missed a change: start over with a fresh listing.
      if (error instanceof EventDecodeError) throw new SessionFailure('decode', error.message, { cause: error });
      throw error;
    }
    if (!event) return;
    const index = this.#o.index;
    switch (event.topic) {
      case '/containers/create':
      case '/containers/update':
        // Neither event carries the whole record (create has no labels): fetch it.
        await this.#refreshRecord(client, event.event.id, signal);
        return;
      case '/containers/delete':
        index.remove(event.event.id);
        return;
      case '/tasks/create': {
        const { containerId, bundle, rootfs, pid } = event.event;
        index.setTask(containerId, { pid, rootfs: bundle ? rootfsOfBundle(bundle) : undefined, mounts: rootfs.length > 0 ? rootfs : undefined });
        return;
      }
      case '/tasks/start': {
        // Normally the create already told us; this covers a missed create.
        const { containerId, pid } = event.event;
        if (index.taskOf(containerId)?.pid !== pid) index.setTask(containerId, { pid });
        return;
      }
      case '/tasks/exit':
        // The task (and its pid) stays until /tasks/delete.
        return;
      case '/tasks/delete': {
        const { containerId, id, pid } = event.event;
        // Only the init process's delete ends the task; exec deletes name their exec id.
        if (id === '' || id === containerId) index.clearTask(containerId, pid);
        return;
      }
    }
  }

  async #refreshRecord(client: ContainerdClient, id: string, signal: AbortSignal): Promise<void> {
    try {
      const { container } = await client.containers.get({ id }, { signal });
      this.#o.index.upsert(container ? this.#classify(container) : undefined, id);
    } catch (error) {
      if (isNotFound(error)) {
        // Deleted again before we asked; its delete event follows.
        this.#o.index.remove(id);
        return;
      }
      if (signal.aborted) throw error;
      throw new SessionFailure('sync', `cannot fetch container ${id} from containerd: ${describeError(error)}`, { cause: error });
    }
  }

  #setReady(ready: boolean): void {
    this.#o.index.setSynced(ready);
    if (ready === this.#ready) return;
    this.#ready = ready;
    this.#o.onReadyChange(ready);
  }
}
