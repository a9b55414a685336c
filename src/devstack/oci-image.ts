// Local images for a node without a registry: OCI image-layout tars built
// from Debian's static busybox, imported with `ctr image import`. Tars are
// cached per busybox binary and recipe, and built deterministically (GNU tar,
// fixed owners, mtimes and order), so concurrent builders write identical
// bytes and the rename that publishes a tar is safe.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { delay } from 'abort-controller-x';
import { withCri } from './cri-client.js';
import { ctr } from './ctr.js';

const execFileAsync = promisify(execFile);

export interface ImageRecipe {
  /** Repository name under example.local. */
  name: string;
  cmd: string[];
}

export const busyboxImage: ImageRecipe = { name: 'busybox', cmd: ['sh'] };
/** The pod sandbox ("pause") image; containerd's config names it. */
export const pauseImage: ImageRecipe = { name: 'pause', cmd: ['/bin/sleep', '2147483647'] };
export const devImages: readonly ImageRecipe[] = [busyboxImage, pauseImage];

/** Bump when the layout below changes, so cached tars are rebuilt. */
const recipeVersion = 1;
const busyboxPath = '/bin/busybox';
const applets = [
  'cat', 'chmod', 'cp', 'date', 'df', 'du', 'echo', 'env', 'false', 'find', 'grep', 'head', 'hostname', 'id',
  'kill', 'ln', 'ls', 'mkdir', 'mount', 'mv', 'ps', 'pwd', 'readlink', 'rm', 'sh', 'sleep', 'stat', 'sync',
  'tail', 'test', 'touch', 'true', 'uname', 'wc',
];

export function imageRef(image: ImageRecipe): string {
  return `example.local/${image.name}:latest`;
}

function ociArch(): string {
  switch (process.arch) {
    case 'x64':
      return 'amd64';
    case 'arm64':
      return 'arm64';
    default:
      throw new Error(`no OCI architecture for node's process.arch ${process.arch}`);
  }
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

// Options that make GNU tar's output depend only on the files' content, names and modes.
const deterministicTar = [
  '--sort=name',
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--mtime=@0',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
];

async function tar(dir: string, out: string, members: string[]): Promise<void> {
  await execFileAsync('tar', [...deterministicTar, '--create', '--file', out, '--directory', dir, '--', ...members]);
}

/** Writes a blob into an image layout and returns its descriptor. */
async function putBlob(layout: string, mediaType: string, data: Buffer): Promise<{ mediaType: string; digest: string; size: number }> {
  const hex = sha256(data);
  await writeFile(join(layout, 'blobs', 'sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

async function buildLayer(work: string): Promise<Buffer> {
  const root = join(work, 'rootfs');
  for (const d of ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'tmp']) {
    await mkdir(join(root, d), { recursive: true });
    await chmod(join(root, d), d === 'tmp' ? 0o1777 : 0o755);
  }
  await chmod(root, 0o755);
  await copyFile(busyboxPath, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  for (const applet of applets) await symlink('busybox', join(root, 'bin', applet));
  const out = join(work, 'layer.tar');
  await tar(root, out, ['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'tmp']);
  return readFile(out);
}

/** Writes the image's OCI layout tar to out (uncached; see buildImageTar). */
export async function writeImageTar(image: ImageRecipe, out: string): Promise<void> {
  const work = await mkdtemp(join(dirname(out), `.build-${image.name}-`));
  try {
    await buildImageLayout(image, work, join(work, 'image.tar'));
    // rename is atomic: readers see no tar or a complete one.
    await rename(join(work, 'image.tar'), out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function buildImageLayout(image: ImageRecipe, work: string, out: string): Promise<void> {
  const layout = join(work, 'layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const layerBytes = await buildLayer(work);
  const layer = await putBlob(layout, 'application/vnd.oci.image.layer.v1.tar', layerBytes);
  const config = await putBlob(
    layout,
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(
      JSON.stringify({
        architecture: ociArch(),
        os: 'linux',
        config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: image.cmd },
        // An uncompressed layer's diff id is its digest.
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
  );
  const manifest = await putBlob(
    layout,
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] })),
  );
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        ...manifest,
        platform: { architecture: ociArch(), os: 'linux' },
        annotations: { 'io.containerd.image.name': imageRef(image), 'org.opencontainers.image.ref.name': 'latest' },
      },
    ],
  };
  await writeFile(join(layout, 'index.json'), JSON.stringify(index));
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await tar(layout, out, ['blobs', 'index.json', 'oci-layout']);
}

/**
 * Returns the path of the image's OCI layout tar, building it unless the
 * cache under os.tmpdir()/wsruntime-images-<busybox hash> already has it.
 */
export async function buildImageTar(image: ImageRecipe): Promise<string> {
  const busybox = await readFile(busyboxPath);
  const cacheDir = join(tmpdir(), `wsruntime-images-${sha256(busybox).slice(0, 16)}`);
  const recipe = sha256(JSON.stringify({ recipeVersion, image, arch: ociArch(), applets })).slice(0, 12);
  const out = join(cacheDir, `${image.name}-${recipe}.tar`);
  if (await stat(out).then(() => true, () => false)) return out;
  await mkdir(cacheDir, { recursive: true });
  await writeImageTar(image, out);
  return out;
}

/**
 * Imports the image into containerd's k8s.io namespace (unpacked into the
 * default snapshotter) and waits until the CRI plugin has noticed it.
 */
export async function importImage(address: string, image: ImageRecipe, signal?: AbortSignal): Promise<void> {
  const tarPath = await buildImageTar(image);
  await ctr(address, ['image', 'import', '--base-name', `example.local/${image.name}`, tarPath], { signal });
  await waitForCriImage(address, imageRef(image), signal);
}

/**
 * Waits until the CRI plugin knows an image. It learns of images imported
 * with ctr from containerd's event stream, a moment after the import.
 */
async function waitForCriImage(address: string, ref: string, signal = new AbortController().signal): Promise<void> {
  await withCri(address, async (cri) => {
    while (!(await cri.images.imageStatus({ image: { image: ref } }, { signal })).image) {
      await delay(signal, 10);
    }
  });
}

/**
 * Imports example.local/busybox:latest and example.local/pause:latest. One
 * after the other: they share their layer blob, and parallel imports contend
 * for its ingest lock (ctr backs off), which made them 2-3 times slower.
 */
export async function importDevImages(address: string, signal?: AbortSignal): Promise<void> {
  for (const image of devImages) await importImage(address, image, signal);
}
