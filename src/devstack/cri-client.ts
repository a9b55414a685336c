// A CRI client on containerd's socket, one channel per use. Short-lived
// channels are deliberate: after containerd is killed and restarted, a
// long-lived grpc-js channel sits in reconnect backoff (1 s and growing) and
// fails calls fast with UNAVAILABLE, which would make restart tests flaky.

import { createChannel, createClient, type Channel } from 'nice-grpc';
import {
  ImageServiceDefinition,
  RuntimeServiceDefinition,
  type ImageServiceClient,
  type RuntimeServiceClient,
} from '../../gen/runtime/v1/api.js';

export interface CriClient {
  runtime: RuntimeServiceClient;
  images: ImageServiceClient;
}

export function openCriChannel(address: string): Channel {
  // nice-grpc passes unknown schemes through; grpc-js wants unix:///abs/path.
  return createChannel(`unix://${address}`, undefined, {
    // A unix socket either answers at once or not at all; retry quickly.
    'grpc.initial_reconnect_backoff_ms': 20,
    'grpc.max_reconnect_backoff_ms': 200,
  });
}

/** Runs fn with a fresh CRI client and closes its channel afterwards. */
export async function withCri<T>(address: string, fn: (cri: CriClient) => Promise<T>): Promise<T> {
  const channel = openCriChannel(address);
  try {
    return await fn({
      runtime: createClient(RuntimeServiceDefinition, channel),
      images: createClient(ImageServiceDefinition, channel),
    });
  } finally {
    channel.close();
  }
}
