// The daemon the bench measures runs as compiled JavaScript, the way the
// image runs dist/: under tsx it would carry the TypeScript loader too (about
// 30 MB more RSS, measured), which a DaemonSet never pays. Compiled fresh from
// src/ into the bench's temp dir, so a stale dist/ cannot skew the figures,
// and the shared dist/ is left alone.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export interface CompiledDaemon {
  /** The wsruntimed entry point, a .js file. */
  entry: string;
  /** What tsc said, when it reported type errors but still emitted. */
  warning?: string;
}

export async function compileDaemon(outDir: string, signal: AbortSignal): Promise<CompiledDaemon> {
  await mkdir(outDir, { recursive: true });
  const { code, output } = await run(
    join(repo, 'node_modules', '.bin', 'tsc'),
    ['-p', join(repo, 'tsconfig.build.json'), '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false'],
    signal,
  );
  const entry = join(outDir, 'src', 'cli', 'wsruntimed.js');
  if (!existsSync(entry)) throw new Error(`tsc did not emit ${entry} (exit ${code}):\n${output}`);
  // What `npm run build` copies besides tsc's output (e.g. gen/wsruntime.binpb,
  // the reflection descriptors): every file of src/ and gen/ that is not TypeScript.
  for (const tree of ['src', 'gen']) {
    await cp(join(repo, tree), join(outDir, tree), { recursive: true, filter: (source) => !source.endsWith('.ts') });
  }
  // ESM like the package, and the repo's node_modules for bare imports
  // (Node looks for node_modules upwards from the importing file).
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(repo, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return { entry, warning: code === 0 ? undefined : `tsc exited ${code} but emitted wsruntimed: ${output.trim().split('\n')[0]}` };
}

function run(command: string, args: string[], signal: AbortSignal): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
