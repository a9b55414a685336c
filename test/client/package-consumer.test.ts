// `wsruntime/client` as a consumer gets it: compiled JavaScript and .d.ts
// behind package.json `exports`, imported from plain Node (no tsx) both as
// ESM and through require(), and type-checked from TypeScript both ways.
// To stay fast it compiles only the client's import graph, into a temp
// package whose package.json is ours, with the proposed `./client` export
// added if package.json does not have it yet.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { ContainerNotFoundError } from '../../src/errors.js';
import { startTestDaemon, type DaemonHarness } from '../support/daemon-harness.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

export const clientExport = {
  types: './dist/src/client/index.d.ts',
  default: './dist/src/client/index.js',
};

const esmConsumer = `
import { createRuntimeClient, ContainerNotFoundError, WsRuntimeError } from 'wsruntime/client';
const client = createRuntimeClient({ socket: process.env.SOCKET });
try {
  const pid = await client.containerPID('c-1');
  let name = 'none';
  try { await client.containerPID('c-404'); } catch (e) { name = e instanceof ContainerNotFoundError && e instanceof WsRuntimeError ? e.containerId : String(e); }
  console.log(JSON.stringify({ pid, notFound: name }));
} finally {
  client.close();
}
`;

const cjsConsumer = `
const { createRuntimeClient, isDeadlineExceeded } = require('wsruntime/client');
const client = createRuntimeClient({ socket: process.env.SOCKET });
client.containerPID('c-1').then(
  (pid) => { console.log(JSON.stringify({ pid, helper: typeof isDeadlineExceeded })); client.close(); },
  (e) => { console.error(e); process.exitCode = 1; client.close(); },
);
`;

// Checked by tsc, not run: the public types are plain (no DeepPartial) and complete.
const tsConsumer = `
import { createRuntimeClient, ContainerNotFoundError, type RuntimeClient, type RuntimeErrorEvent } from 'wsruntime/client';
const client: RuntimeClient = createRuntimeClient({ socket: '/tmp/x.sock' });
export async function use(signal: AbortSignal): Promise<[string, number, boolean, string]> {
  const id: string = await client.waitForContainer('i', { signal, deadline: 1000 });
  const pid: number = await client.containerPID(id, { deadline: new Date() });
  const exists: boolean = await client.containerExists(id);
  const rootfs: string = await client.containerRootfs(id, { unmapped: true, signal });
  for await (const e of client.errors({ signal })) { const _k: RuntimeErrorEvent['kind'] = e.kind; const _t: Date = e.time; }
  const nf = new ContainerNotFoundError({ containerId: id });
  return [rootfs, pid, exists, nf.containerId];
}
// @ts-expect-error no generated DeepPartial request objects in the public API
client.containerPID({ containerId: 'x' });
`;

const ctsConsumer = `
import client = require('wsruntime/client');
const c: client.RuntimeClient = client.createRuntimeClient();
export const pid: Promise<number> = c.containerPID('x');
`;

describe('wsruntime/client as a package', () => {
  let dir: string;
  let fixture: DaemonHarness;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'wsruntime-package-'));
    const pkg = path.join(dir, 'node_modules', 'wsruntime');
    await mkdir(pkg, { recursive: true });

    const manifest = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
    manifest.exports = { ...manifest.exports };
    manifest.exports['./client'] ??= clientExport;
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
    // The package's own dependencies resolve from the repo's node_modules.
    await symlink(path.join(repo, 'node_modules'), path.join(pkg, 'node_modules'));

    await writeFile(
      path.join(dir, 'tsconfig.client.json'),
      JSON.stringify({
        extends: path.join(repo, 'tsconfig.build.json'),
        compilerOptions: { rootDir: repo, outDir: path.join(pkg, 'dist'), sourceMap: false, typeRoots: [path.join(repo, 'node_modules/@types')] },
        files: [path.join(repo, 'src/client/index.ts')],
        include: [],
      }),
    );
    await run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.client.json')]);

    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    await writeFile(path.join(dir, 'esm.mjs'), esmConsumer);
    await writeFile(path.join(dir, 'cjs.cjs'), cjsConsumer);
    await writeFile(path.join(dir, 'consumer.mts'), tsConsumer);
    await writeFile(path.join(dir, 'consumer.cts'), ctsConsumer);

    fixture = await startTestDaemon({ shutdownGraceMs: 1_000 });
    fixture.runtime.answer('containerPID', (call: { args: unknown[] }) =>
      call.args[0] === 'c-404' ? Promise.reject(new ContainerNotFoundError({ containerId: 'c-404' })) : 31,
    );
  });

  after(async () => {
    await fixture?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('imports as ESM from plain node, and its typed errors work', async () => {
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: dir, env: { ...process.env, SOCKET: fixture.socket } });
    assert.deepEqual(JSON.parse(stdout), { pid: 31, notFound: 'c-404' });
  });

  it('loads through require() (CommonJS) on Node >= 20.19', async () => {
    const { stdout, stderr } = await run(process.execPath, ['cjs.cjs'], { cwd: dir, env: { ...process.env, SOCKET: fixture.socket } });
    assert.deepEqual(JSON.parse(stdout), { pid: 31, helper: 'function' });
    // Node warns about require(esm) only for code outside node_modules.
    assert.equal(stderr, '');
  });

  it('type-checks from ESM and CommonJS TypeScript consumers', async () => {
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(repo, 'node_modules/@types')] },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    const result = await run(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')]).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    assert.equal(result, '');
  });
});
