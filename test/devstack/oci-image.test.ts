import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildImageTar, busyboxImage, pauseImage, writeImageTar } from '../../src/devstack/oci-image.js';

const execFileAsync = promisify(execFile);

async function tarList(tar: string): Promise<string[]> {
  return (await execFileAsync('tar', ['-tvf', tar])).stdout.trim().split('\n');
}

async function tarMember(tar: string, member: string): Promise<Buffer> {
  return (await execFileAsync('tar', ['-xOf', tar, member], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('dev images', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wsrt-image-test-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('builds byte-identical tars', async () => {
    await writeImageTar(busyboxImage, join(dir, 'a.tar'));
    await writeImageTar(busyboxImage, join(dir, 'b.tar'));
    assert.equal(sha256(await readFile(join(dir, 'a.tar'))), sha256(await readFile(join(dir, 'b.tar'))));
  });

  it('is an OCI image layout naming example.local/<name>:latest, with one busybox layer', async () => {
    const tar = join(dir, 'pause.tar');
    await writeImageTar(pauseImage, tar);
    const index = JSON.parse((await tarMember(tar, 'index.json')).toString()) as {
      manifests: { digest: string; annotations: Record<string, string>; platform: { architecture: string } }[];
    };
    assert.equal(JSON.parse((await tarMember(tar, 'oci-layout')).toString()).imageLayoutVersion, '1.0.0');
    assert.equal(index.manifests.length, 1);
    const entry = index.manifests[0]!;
    assert.equal(entry.annotations['io.containerd.image.name'], 'example.local/pause:latest');
    assert.equal(entry.platform.architecture, process.arch === 'arm64' ? 'arm64' : 'amd64');

    const blob = async (digest: string) => tarMember(tar, `blobs/sha256/${digest.slice('sha256:'.length)}`);
    const manifest = JSON.parse((await blob(entry.digest)).toString());
    const config = JSON.parse((await blob(manifest.config.digest)).toString());
    assert.deepEqual(config.config.Cmd, ['/bin/sleep', '2147483647']);
    assert.equal(manifest.layers.length, 1);

    const layerPath = join(dir, 'layer.tar');
    await writeFile(layerPath, await blob(manifest.layers[0].digest));
    const entries = await tarList(layerPath);
    assert.ok(entries.some((e) => /^-rwxr-xr-x 0\/0 .* bin\/busybox$/.test(e)), 'bin/busybox, root-owned, executable');
    assert.ok(entries.some((e) => / bin\/sh -> busybox$/.test(e)), 'bin/sh links to busybox');
    assert.ok(entries.some((e) => / bin\/sleep -> busybox$/.test(e)), 'bin/sleep links to busybox');
  });

  it('caches built tars under the temp dir, keyed by the busybox binary', async () => {
    const first = await buildImageTar(busyboxImage);
    assert.match(first, new RegExp(`^${tmpdir()}/wsruntime-images-[0-9a-f]{16}/busybox-[0-9a-f]+\\.tar$`));
    const t0 = performance.now();
    assert.equal(await buildImageTar(busyboxImage), first);
    assert.ok(performance.now() - t0 < 200, 'a cache hit does not rebuild');
  });
});
