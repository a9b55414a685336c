// `wsruntimectl health`: grpc.health.v1 Check against the daemon, with the
// definition nice-grpc-server-health ships, over the SDK's channel.

import { ClientError, createClientFactory, Status } from 'nice-grpc';
import { deadlineMiddleware } from 'nice-grpc-client-middleware-deadline';
import { HealthDefinition } from 'nice-grpc-server-health';
import { openChannel } from '../../client/open-channel.js';
import { normalizeDeadline, type RuntimeCallOptions } from '../../client/runtime-call-options.js';
import { fromClientError } from '../../error-table.js';

// grpc.health.v1.HealthCheckResponse.ServingStatus, by number.
const statusNames = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** The serving status of `service` ('' = the whole server), e.g. 'SERVING'. */
export async function checkHealth(address: string, service: string, options: RuntimeCallOptions): Promise<string> {
  const channel = openChannel(address);
  try {
    const health = createClientFactory().use(deadlineMiddleware).create(HealthDefinition, channel);
    const response = await health.check({ service }, { signal: options.signal, deadline: normalizeDeadline(options.deadline) });
    return statusNames[response.status] ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof ClientError && error.code === Status.UNIMPLEMENTED) {
      throw new Error(`the daemon at ${address} does not serve grpc.health.v1`, { cause: error });
    }
    throw fromClientError(error);
  } finally {
    channel.close();
  }
}
