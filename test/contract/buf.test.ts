// The contract's hygiene, as CI checks it: gen/ is what `buf generate` makes
// from proto/ today, `buf lint` (STANDARD) is clean, and so is `buf format`.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'node_modules', '.bin');

/** Runs buf from node_modules, with the local ts-proto plugin on PATH; resolves with its exit code and output. */
async function buf(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(path.join(bin, 'buf'), args, {
      cwd: root,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('contract', { timeout: 120_000 }, () => {
  it('gen/ is current with proto/ (buf generate)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'wsruntime-gen-'));
    try {
      const generated = await buf('generate', '--output', out);
      assert.equal(generated.code, 0, generated.output);
      const fresh = await tsFiles(path.join(out, 'gen'));
      const committed = await tsFiles(path.join(root, 'gen'));
      assert.ok(fresh.includes(path.join('wsruntime', 'v1', 'runtime.ts')));
      assert.deepEqual(committed, fresh, 'gen/ has the same generated files (run `npm run gen`)');
      for (const file of fresh) {
        const [a, b] = await Promise.all([readFile(path.join(out, 'gen', file), 'utf8'), readFile(path.join(root, 'gen', file), 'utf8')]);
        assert.ok(a === b, `gen/${file} is stale (run \`npm run gen\`)`);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('buf lint is clean', async () => {
    const lint = await buf('lint');
    assert.equal(lint.code, 0, lint.output);
  });

  it('buf format --diff --exit-code is clean', async () => {
    const format = await buf('format', '--diff', '--exit-code');
    assert.equal(format.code, 0, format.output);
  });
});
