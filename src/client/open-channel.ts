// The channel to the daemon, shared by the SDK client and wsruntimectl's
// health check so both reach the same address the same way.

import { Channel, ChannelCredentials, createChannel, type ChannelOptions } from 'nice-grpc';

// grpc-js backs off reconnects up to 2 minutes by default; after a daemon
// restart we want the socket retried about as often as our own retries run.
const channelOptions: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
};

/**
 * nice-grpc's createChannel understands only `[http[s]://]host[:port]`; every
 * other gRPC target (unix sockets above all) goes to grpc-js as it is.
 */
export function openChannel(address: string): Channel {
  if (/^https?:\/\//.test(address)) return createChannel(address, undefined, channelOptions);
  return new Channel(address, ChannelCredentials.createInsecure(), channelOptions);
}
