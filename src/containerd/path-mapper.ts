// Translates node paths into paths the daemon's callers can reach
// (`--path-mapping FROM=TO`, e.g. /run/containerd=/mnt/node/run/containerd
// when the callers mount the node's directories elsewhere), and back.
//
// A translated path must exist and must stay inside TO even after `..` and
// symlinks are resolved: handing out a path that points elsewhere in the
// caller's filesystem would be worse than refusing.

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { PathNotMappedError } from '../errors.js';

/** A node path prefix `from` that callers reach as `to`. Both absolute and normalized. */
export interface PathMapping {
  from: string;
  to: string;
}

/** Whether `child` is `parent` or below it, on path-component boundaries. */
export function isWithin(parent: string, child: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(`${parent}/`);
}

function longestMatch(mappings: readonly PathMapping[], p: string, side: 'from' | 'to'): PathMapping | undefined {
  let best: PathMapping | undefined;
  for (const m of mappings) {
    if (isWithin(m[side], p) && (best === undefined || m[side].length > best[side].length)) best = m;
  }
  return best;
}

function rebase(p: string, oldBase: string, newBase: string): string {
  return path.posix.join(newBase, path.posix.relative(oldBase, p));
}

export class PathMapper {
  readonly #mappings: readonly PathMapping[];

  constructor(mappings: readonly PathMapping[]) {
    // Normalised once, so matching compares like with like.
    this.#mappings = mappings.map((m) => ({ from: path.posix.resolve(m.from), to: path.posix.resolve(m.to) }));
  }

  get identity(): boolean {
    return this.#mappings.length === 0;
  }

  /**
   * The caller-reachable path of a node path. With no mappings at all, node
   * paths are returned as they are (the daemon shares the callers' view).
   */
  async toCaller(containerId: string, nodePath: string): Promise<string> {
    if (this.identity) return nodePath;
    const fail = (reason: string) => new PathNotMappedError({ containerId, nodePath, reason });
    if (!path.posix.isAbsolute(nodePath)) throw fail('it is not an absolute path');
    const normal = path.posix.resolve(nodePath);
    const mapping = longestMatch(this.#mappings, normal, 'from');
    if (!mapping) throw fail('no --path-mapping covers it');
    const mapped = rebase(normal, mapping.from, mapping.to);

    let real: string;
    let realTo: string;
    try {
      real = await realpath(mapped);
    } catch (error) {
      throw fail(`${mapped} ${describeFsError(error)}`);
    }
    try {
      realTo = await realpath(mapping.to);
    } catch (error) {
      throw fail(`the mapping target ${mapping.to} ${describeFsError(error)}`);
    }
    if (!isWithin(realTo, real)) throw fail(`${mapped} resolves to ${real}, outside the mapping target ${mapping.to}`);
    return mapped;
  }

  /**
   * The node path of a path as the daemon sees it (the inverse mapping, by
   * the longest TO); paths under no TO are taken to be node paths already.
   */
  toNode(localPath: string): string {
    const mapping = longestMatch(this.#mappings, localPath, 'to');
    return mapping ? rebase(localPath, mapping.to, mapping.from) : localPath;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'is not accessible';
  if (code === 'ENOTDIR') return 'has a non-directory in its path';
  return `cannot be resolved (${code ?? String(error)})`;
}
