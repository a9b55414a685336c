// Calls made with grpc-js itself and identity (de)serializers, so that the
// bytes on the wire are exactly the payload given, valid protobuf or not.

import { Client, credentials, Metadata, status as GrpcStatus } from '@grpc/grpc-js';

export type CallShape = 'unary' | 'server-stream' | 'bidi';

export interface RawMethod {
  path: string;
  shape: CallShape;
  /** A well-formed request, the base the hostile ones are made from. */
  valid: Buffer;
}

export interface Outcome {
  code: GrpcStatus;
  details: string;
  /** Response messages received before the status. */
  messages: number;
}

const identity = (bytes: Buffer) => bytes;

export function rawClient(address: string): Client {
  // Unlimited on our side: the server's limit is what is under test.
  return new Client(address, credentials.createInsecure(), { 'grpc.max_send_message_length': -1, 'grpc.max_receive_message_length': -1 });
}

/** Sends `payload` as the request of `method`; resolves with the final status (a deadline bounds every call). */
export function rawCall(client: Client, method: RawMethod, payload: Buffer, deadlineMs: number): Promise<Outcome> {
  const options = { deadline: Date.now() + deadlineMs };
  return new Promise((resolve) => {
    if (method.shape === 'unary') {
      client.makeUnaryRequest(method.path, identity, identity, payload, new Metadata(), options, (error) => {
        resolve({ code: error?.code ?? GrpcStatus.OK, details: error?.details ?? '', messages: error ? 0 : 1 });
      });
      return;
    }
    let messages = 0;
    const stream =
      method.shape === 'server-stream'
        ? client.makeServerStreamRequest(method.path, identity, identity, payload, new Metadata(), options)
        : client.makeBidiStreamRequest(method.path, identity, identity, new Metadata(), options);
    stream.on('data', () => messages++);
    // The status event always follows; 'error' only repeats a non-OK one.
    stream.on('error', () => {});
    stream.on('status', (s: { code: GrpcStatus; details: string }) => resolve({ code: s.code, details: s.details, messages }));
    if (method.shape === 'bidi') {
      const duplex = stream as ReturnType<Client['makeBidiStreamRequest']>;
      duplex.write(payload);
      duplex.end();
    }
  });
}
