// The overlayfs upperdir of a container: the `upperdir=` option of its
// rootfs's `overlay` mount. Note the names: the snapshotter is "overlayfs",
// the mount type it produces is "overlay".

import type { Mount } from '../../gen/containerd/types/mount.js';

const overlayMountType = 'overlay';
const upperdirOption = 'upperdir=';

/** The upperdir of the rootfs mounts, or undefined when they hold no overlay mount with one. */
export function upperdirOf(mounts: readonly Mount[]): string | undefined {
  for (const mount of mounts) {
    if (mount.type !== overlayMountType) continue;
    const option = mount.options.find((o) => o.startsWith(upperdirOption));
    if (option !== undefined && option.length > upperdirOption.length) return option.slice(upperdirOption.length);
  }
  return undefined;
}
