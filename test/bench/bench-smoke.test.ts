// The bench cannot rot: it runs end to end with tiny counts on a private
// containerd and its JSON summary has every scenario with positive numbers.
// Timings are never asserted; only that they were measured.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { BenchReport, Ratios } from '../../bench/bench-report.js';
import type { LatencySummary } from '../../bench/latency-summary.js';
import type { LoadResult } from '../../bench/measure-load.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bench(...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: repo, timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function positive(value: unknown, what: string): void {
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value > 0, `${what} should be a positive number, is ${String(value)}`);
}

function checkLoad(load: LoadResult, what: string): void {
  for (const key of ['callsPerSec', 'p50Ms', 'p99Ms', 'count'] as const) positive(load[key], `${what}.${key}`);
  positive(load.server?.microsPerCall, `${what}.server.microsPerCall`);
  positive(load.client.microsPerCall, `${what}.client.microsPerCall`);
}

function checkRatios(ratio: Ratios, what: string): void {
  for (const key of ['callsPerSec', 'p50', 'p99', 'cpuPerCall'] as const) positive(ratio[key], `${what}.ratio.${key}`);
}

function checkSpread(summary: LatencySummary, what: string, signed = false): void {
  if (signed) assert.ok(Number.isFinite(summary.p50Ms), `${what}.p50Ms should be finite`);
  else positive(summary.p50Ms, `${what}.p50Ms`);
  assert.equal(summary.count, 1, `${what}.count`);
}

describe('npm run bench', () => {
  it('prints its usage and refuses bad flags without starting anything', async () => {
    const help = await bench('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--pods N/);
    const bad = await bench('--pods', 'many');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--pods/);
  });

  it('runs every scenario with tiny counts and reports positive numbers as JSON', { timeout: 60_000 }, async () => {
    const run = await bench('--pods', '2', '--duration', '200ms', '--event-rounds', '1', '--concurrency', '1,4', '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /cleanup was incomplete/);
    const report = JSON.parse(run.stdout) as BenchReport;

    assert.equal(report.setup.pods, 2);
    const expected = ['ContainerPID 1', 'ContainerPID 4', 'ContainerCGroupPath 1', 'ContainerCGroupPath 4'];
    assert.deepEqual(report.daemonVsBare.map((r) => `${r.method} ${r.concurrency}`), expected);
    assert.deepEqual(report.daemonVsContainerd.map((r) => `${r.method} ${r.concurrency}`), expected);
    for (const r of report.daemonVsBare) {
      const what = `daemonVsBare ${r.method} ×${r.concurrency}`;
      checkLoad(r.daemon, `${what} daemon`);
      checkLoad(r.bare, `${what} bare`);
      checkRatios(r.ratio, what);
    }
    for (const r of report.daemonVsContainerd) {
      const what = `daemonVsContainerd ${r.method} ×${r.concurrency}`;
      checkLoad(r.daemon, `${what} daemon`);
      checkLoad(r.containerd, `${what} containerd`);
      checkRatios(r.ratio, what);
    }

    const ev = report.eventLatency;
    checkSpread(ev.foundSinceStartCalled, 'foundSinceStartCalled');
    checkSpread(ev.stoppedSinceStopCalled, 'stoppedSinceStopCalled');
    checkSpread(ev.criStart, 'criStart');
    checkSpread(ev.criStopRemove, 'criStopRemove');
    // Measured from the CRI call's return: may be negative (the daemon knew first).
    checkSpread(ev.foundAfterStartReturned, 'foundAfterStartReturned', true);
    checkSpread(ev.stoppedAfterRemoveReturned, 'stoppedAfterRemoveReturned', true);

    const fp = report.footprint;
    assert.equal(fp.workspaces, 2);
    for (const moment of ['empty', 'tracked', 'afterLoad'] as const) {
      for (const key of ['rssBytes', 'heapUsedBytes', 'heapTotalBytes', 'maxRssBytes'] as const) positive(fp[moment][key], `footprint.${moment}.${key}`);
    }
    positive(fp.peakRssBytes, 'footprint.peakRssBytes');
    positive(fp.busiest.callsPerSec, 'footprint.busiest.callsPerSec');
    positive(fp.busiest.cpuCores, 'footprint.busiest.cpuCores');
    // Idle may well be 0 ticks of CPU; per-workspace deltas are noise at N = 2.
    assert.ok(fp.idleCpu.cores >= 0 && fp.idleCpu.windowMs > 0, 'footprint.idleCpu');
    assert.ok(Number.isFinite(fp.heapPerWorkspaceBytes), 'footprint.heapPerWorkspaceBytes');
  });
});
