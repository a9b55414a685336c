// The dev stack's containerd: a private containerd with the two local images
// every pod needs (example.local/busybox:latest and the pause image).

import { importDevImages } from './oci-image.js';
import { PrivateContainerd, type PrivateContainerdOptions } from './private-containerd.js';

export async function startDevContainerd(options: PrivateContainerdOptions = {}): Promise<PrivateContainerd> {
  const containerd = await PrivateContainerd.start(options);
  try {
    await importDevImages(containerd.address, options.signal);
  } catch (e) {
    await containerd.stop().catch(() => undefined);
    throw e;
  }
  return containerd;
}
