// The human-readable report: absolute numbers first, then the ratio to the
// baseline measured in the same run.

import type { BenchReport, Ratios } from './bench-report.js';
import type { MemorySample } from './footprint/wsruntimed-child.js';
import type { LatencySummary } from './latency-summary.js';
import type { LoadResult } from './measure-load.js';
import { textTable } from './text-table.js';

const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
const micros = (n: number | undefined) => (n === undefined ? '?' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const times = (n: number) => (Number.isFinite(n) ? `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}×` : '?');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const kib = (bytes: number) => (bytes / 2 ** 10).toFixed(1);
const millicores = (cores: number) => `${Math.round(cores * 1000)}m`;
const load = (r: LoadResult) => [rate(r.callsPerSec), ms(r.p50Ms), ms(r.p99Ms)];
const cpu = (r: LoadResult) => [micros(r.server?.microsPerCall), micros(r.client.microsPerCall)];
const loadColumns = ['calls/s', 'p50 ms', 'p99 ms'];
const cpuColumns = ['server', 'client'];

interface UnaryRow {
  method: string;
  concurrency: number;
  daemon: LoadResult;
  ratio: Ratios;
}

/** Calls/s and latency, then CPU per call, of the daemon against one baseline. */
function unaryTables(baseline: string, rows: ReadonlyArray<UnaryRow & { other: LoadResult }>): string[] {
  const key = (r: UnaryRow) => [r.method, String(r.concurrency)];
  const groups = (span: number, ratioSpan: number) => [
    { title: '', span: 2 },
    { title: 'daemon', span },
    { title: baseline, span },
    { title: ratioSpan > 1 ? `daemon ÷ ${baseline}` : '÷', span: ratioSpan },
  ];
  return [
    textTable(
      ['method', 'in flight', ...loadColumns, ...loadColumns, 'calls/s', 'p50', 'p99'],
      rows.map((r) => [...key(r), ...load(r.daemon), ...load(r.other), times(r.ratio.callsPerSec), times(r.ratio.p50), times(r.ratio.p99)]),
      groups(3, 3),
    ),
    '',
    textTable(
      ['CPU µs per call', 'in flight', ...cpuColumns, ...cpuColumns, 'server'],
      rows.map((r) => [...key(r), ...cpu(r.daemon), ...cpu(r.other), times(r.ratio.cpuPerCall)]),
      groups(2, 1),
    ),
  ];
}

export function formatReport(report: BenchReport): string {
  const { setup, daemonVsBare, daemonVsContainerd, eventLatency: ev, footprint: fp } = report;
  const out: string[] = [
    `wsruntime bench: ${setup.pods} workspace pods, ${setup.durationMs / 1000} s per measurement after ${setup.warmupMs / 1000} s of warm-up`,
    `containerd ${setup.containerd}, node ${setup.node}, ${setup.cpus} CPUs, load average ${setup.loadAverage.atStart.toFixed(2)} at the start, ${setup.loadAverage.atEnd.toFixed(2)} at the end`,
    setup.clients,
    'CPU µs per call: the server process\'s CPU time per call (containerd: with its shims), and the bench process\'s (the client\'s).',
    '',
    '1. Unary calls: daemon vs a bare nice-grpc server (constant answers, no middleware)',
    ...unaryTables('bare', daemonVsBare.map((r) => ({ ...r, other: r.bare }))),
    '   daemon ÷ bare: calls/s below 1× and latency or CPU above 1× are the daemon\'s own cost',
    '',
    '2. Unary calls: daemon (from its index) vs asking containerd per request (Tasks.Get; Containers.Get + JSON.parse of the spec)',
    ...unaryTables('containerd', daemonVsContainerd.map((r) => ({ ...r, other: r.containerd }))),
    '   daemon ÷ containerd: calls/s above 1× and latency or CPU below 1× are what the index saves',
    '',
    `3. Event latency, ${ev.rounds} pods one at a time (ms; negative = the wait resolved before the CRI call returned)`,
    textTable(
      ['from', 'to', 'min', 'p50', 'max'],
      [
        ['StartContainer called', 'WaitForContainer resolved', ...spread(ev.foundSinceStartCalled)],
        ['StartContainer returned', 'WaitForContainer resolved', ...spread(ev.foundAfterStartReturned)],
        ['StopContainer called', 'WaitForContainerStop resolved', ...spread(ev.stoppedSinceStopCalled)],
        ['RemoveContainer returned', 'WaitForContainerStop resolved', ...spread(ev.stoppedAfterRemoveReturned)],
        ['StartContainer called', 'StartContainer returned', ...spread(ev.criStart)],
        ['StopContainer called', 'RemoveContainer returned', ...spread(ev.criStopRemove)],
      ],
    ),
    '',
    `4. Footprint of the daemon of 1 and 2 (${fp.process})`,
    textTable(
      ['moment', 'RSS MiB', 'heap used MiB', 'heap total MiB', 'external MiB'],
      [
        ['serving, 0 workspaces', ...memory(fp.empty)],
        [`${fp.workspaces} workspaces, idle`, ...memory(fp.tracked)],
        [`${fp.workspaces} workspaces, after 1 and 2`, ...memory(fp.afterLoad)],
      ],
    ),
    `   peak RSS ${mib(fp.peakRssBytes)} MiB; per workspace tracked: heap ${signed(kib(fp.heapPerWorkspaceBytes))} KiB, RSS ${signed(kib(fp.rssPerWorkspaceBytes))} KiB`,
    `   CPU idle with ${fp.workspaces} workspaces: ${millicores(fp.idleCpu.cores)} over ${(fp.idleCpu.windowMs / 1000).toFixed(1)} s; ` +
      `busiest: ${millicores(fp.busiest.cpuCores)} at ${rate(fp.busiest.callsPerSec)} calls/s (${fp.busiest.method}, ${fp.busiest.concurrency} in flight), ` +
      `${micros(fp.busiest.cpuMicrosPerCall)} µs CPU per call`,
  ];
  if (report.warnings.length > 0) out.push('', 'Warnings:', ...report.warnings.map((w) => `  - ${w}`));
  return out.join('\n') + '\n';
}

function spread(s: LatencySummary): string[] {
  return [ms(s.minMs), ms(s.p50Ms), ms(s.maxMs)];
}

function memory(s: MemorySample): string[] {
  return [mib(s.rssBytes), mib(s.heapUsedBytes), mib(s.heapTotalBytes), mib(s.externalBytes)];
}

function signed(text: string): string {
  return text.startsWith('-') ? text : `+${text}`;
}
