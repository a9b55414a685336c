// grpc.health.v1 against a real containerd: SERVING once the backend is
// synced, NOT_SERVING within 1 s of containerd being SIGKILLed, SERVING again
// after it restarts — seen by Watch and by Check.

import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { HealthCheckResponse_ServingStatus as ServingStatus } from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import { startOpsFixture, type OpsFixture } from './ops-fixture.js';

type HealthStream = AsyncIterator<{ status: ServingStatus }>;

/** Reads `stream` until it reports `wanted`; fails after `timeoutMs`. */
async function until(stream: HealthStream, wanted: ServingStatus, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${ServingStatus[wanted]} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    for (;;) {
      const { value, done } = await Promise.race([stream.next(), timeout]);
      assert.ok(!done, 'Watch ended');
      if (value.status === wanted) return;
    }
  } finally {
    clearTimeout(timer);
  }
}

describe('health on a real containerd', { timeout: 120_000 }, () => {
  let fx: OpsFixture;

  before(async () => {
    fx = await startOpsFixture();
  });

  after(async () => {
    await fx?.close();
  });

  it('follows containerd: NOT_SERVING within 1 s of a SIGKILL, SERVING after the restart', async (t) => {
    const abort = new AbortController();
    const watch = fx.health.watch({ service: 'wsruntime.v1.RuntimeService' }, { signal: abort.signal })[Symbol.asyncIterator]();
    try {
      await until(watch, ServingStatus.SERVING, 10_000);
      assert.equal((await fx.health.check({ service: '' })).status, ServingStatus.SERVING);

      const killedAt = performance.now();
      const notServing = until(watch, ServingStatus.NOT_SERVING, 5_000);
      await fx.stack.containerd.kill('SIGKILL');
      await notServing;
      const elapsed = performance.now() - killedAt;
      t.diagnostic(`NOT_SERVING ${elapsed.toFixed(1)} ms after the SIGKILL`);
      assert.ok(elapsed < 1_000, `NOT_SERVING came ${Math.round(elapsed)} ms after the kill`);
      assert.equal((await fx.health.check({ service: '' })).status, ServingStatus.NOT_SERVING);
      assert.equal((await fx.health.check({ service: 'wsruntime.v1.RuntimeService' })).status, ServingStatus.NOT_SERVING);

      await fx.stack.containerd.restart();
      await until(watch, ServingStatus.SERVING, 30_000);
      assert.equal((await fx.health.check({ service: '' })).status, ServingStatus.SERVING);
    } finally {
      abort.abort();
      await watch.next().catch(() => undefined);
    }
  });
});
