// Scenario 3: how soon a waiting client hears of a container starting or
// going, one pod at a time. Each wait is held by the daemon before the CRI
// call it waits for begins, so what is measured is the event path
// (containerd event → pump → index → waiter → response), not a lookup.
//
// Measured from the CRI call's start and from its return. The daemon reacts
// to TaskCreate and the container's delete event, both of which containerd
// publishes before its CRI call returns, so "after it returned" may be
// negative: the client knew before kubelet did.

import { delay } from 'abort-controller-x';
import type { RuntimeClient } from '../../src/client/index.js';
import type { TestStack, WorkspacePod } from '../../test/support/stack.js';
import { summarizeLatencies, type LatencySummary } from '../latency-summary.js';

export interface EventLatency {
  rounds: number;
  /** StartContainer called → WaitForContainer resolved. */
  foundSinceStartCalled: LatencySummary;
  /** StartContainer returned → WaitForContainer resolved (negative: resolved first). */
  foundAfterStartReturned: LatencySummary;
  /** StopContainer called (then RemoveContainer) → WaitForContainerStop resolved. */
  stoppedSinceStopCalled: LatencySummary;
  /** RemoveContainer returned → WaitForContainerStop resolved (negative: resolved first). */
  stoppedAfterRemoveReturned: LatencySummary;
  /** CRI StartContainer itself, for scale. */
  criStart: LatencySummary;
  /** CRI StopContainer + RemoveContainer, for scale. */
  criStopRemove: LatencySummary;
}

export interface EventLatencyTargets {
  stack: TestStack;
  client: RuntimeClient;
  /** The daemon's count of waits it holds (ContainerdRuntime.stats().pendingWaits). */
  pendingWaits: () => number;
}

const waitDeadlineMs = 30_000;

export async function measureEventLatency(targets: EventLatencyTargets, rounds: number, signal: AbortSignal): Promise<EventLatency> {
  const samples = { foundCalled: [] as number[], foundReturned: [] as number[], stopCalled: [] as number[], stopReturned: [] as number[], start: [] as number[], stopRemove: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const r = await oneRound(targets, `bench-event-${round}`, signal);
    samples.foundCalled.push(r.found - r.startCalled);
    samples.foundReturned.push(r.found - r.startReturned);
    samples.stopCalled.push(r.stopped - r.stopCalled);
    samples.stopReturned.push(r.stopped - r.removeReturned);
    samples.start.push(r.startReturned - r.startCalled);
    samples.stopRemove.push(r.removeReturned - r.stopCalled);
  }
  return {
    rounds,
    foundSinceStartCalled: summarizeLatencies(samples.foundCalled),
    foundAfterStartReturned: summarizeLatencies(samples.foundReturned),
    stoppedSinceStopCalled: summarizeLatencies(samples.stopCalled),
    stoppedAfterRemoveReturned: summarizeLatencies(samples.stopReturned),
    criStart: summarizeLatencies(samples.start),
    criStopRemove: summarizeLatencies(samples.stopRemove),
  };
}

interface RoundTimes {
  startCalled: number;
  startReturned: number;
  found: number;
  stopCalled: number;
  removeReturned: number;
  stopped: number;
}

async function oneRound({ stack, client, pendingWaits }: EventLatencyTargets, instanceId: string, signal: AbortSignal): Promise<RoundTimes> {
  const call = { signal, deadline: waitDeadlineMs };
  let pod: WorkspacePod | undefined;
  try {
    const held = pendingWaits();
    const found = client.waitForContainer(instanceId, call).then((id) => ({ id, at: performance.now() }));
    found.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
    await untilHeld(pendingWaits, held + 1, signal);
    pod = await stack.createWorkspacePod({ instanceId, start: false });
    const startCalled = performance.now();
    await stack.startContainer(pod);
    const startReturned = performance.now();
    const { id, at: foundAt } = await found;
    if (id !== pod.containerId) throw new Error(`the daemon found ${id} for ${instanceId}, CRI made ${pod.containerId}`);

    const stillHeld = pendingWaits();
    const stopped = client.waitForContainerStop(instanceId, call).then(() => performance.now());
    stopped.catch(() => undefined);
    await untilHeld(pendingWaits, stillHeld + 1, signal);
    const stopCalled = performance.now();
    await stack.removeContainer(pod);
    const removeReturned = performance.now();
    return { startCalled, startReturned, found: foundAt, stopCalled, removeReturned, stopped: await stopped };
  } finally {
    if (pod) await stack.removeWorkspacePod(pod);
  }
}

/** Polls until the daemon holds `count` waits; the call is in flight, so this is a millisecond or two. */
async function untilHeld(pendingWaits: () => number, count: number, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (pendingWaits() < count) {
    if (performance.now() > deadline) throw new Error('the daemon did not take up the wait within 5 s');
    await delay(signal, 1);
  }
}
