// The cgroup path of a container, from its OCI spec's linux.cgroupsPath.
//
// With kubelet's cgroupfs driver the spec holds the path itself
// (/kubepods/besteffort/pod<uid>/<id>). With the systemd driver it holds
// `<slice>:<prefix>:<name>`, which runc turns into a path by expanding the
// slice the way systemd nests slices (every `-`-separated prefix of a slice
// name is its parent slice) and naming the unit `<prefix>-<name>.scope`
// (or just `<name>` when that is itself a slice).

import { NoCGroupError } from '../errors.js';

const sliceSuffix = '.slice';

/**
 * `kubepods-burstable-pod1.slice` → `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice`;
 * undefined for a name systemd would not accept.
 */
export function expandSlice(slice: string): string | undefined {
  if (!slice.endsWith(sliceSuffix) || slice.includes('/')) return undefined;
  if (slice === `-${sliceSuffix}`) return '/';
  const name = slice.slice(0, -sliceSuffix.length);
  let expanded = '';
  let prefix = '';
  for (const component of name.split('-')) {
    // An empty component means a leading, trailing or doubled dash.
    if (component === '') return undefined;
    expanded += `/${prefix}${component}${sliceSuffix}`;
    prefix += `${component}-`;
  }
  return expanded;
}

/** The cgroup path suffix for linux.cgroupsPath; NoCGroupError when there is none usable. */
export function cgroupPath(containerId: string, cgroupsPath: string): string {
  if (cgroupsPath === '') throw new NoCGroupError(containerId);
  // A cgroupfs path never contains ':'; the systemd form always has two.
  const parts = cgroupsPath.split(':');
  if (parts.length === 1) return cgroupsPath;
  if (parts.length !== 3) throw new NoCGroupError(containerId);
  const [slice, prefix, name] = parts as [string, string, string];
  // runc's default parent when the slice is left empty.
  const parent = expandSlice(slice === '' ? 'system.slice' : slice);
  if (parent === undefined || name === '') throw new NoCGroupError(containerId);
  // runc joins prefix and name with '-' even when the prefix is empty.
  const unit = name.endsWith(sliceSuffix) ? name : `${prefix}-${name}.scope`;
  return parent === '/' ? `/${unit}` : `${parent}/${unit}`;
}
