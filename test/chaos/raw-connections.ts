// Talking to the daemon's socket below gRPC: raw bytes, hand-made HTTP/2
// frames, and HTTP/2 requests that are not quite gRPC.

import http2 from 'node:http2';
import net from 'node:net';

export const http2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export const FrameType = { data: 0, headers: 1, rstStream: 3, settings: 4, ping: 6, goaway: 7, windowUpdate: 8, continuation: 9 } as const;

/** One HTTP/2 frame; `declaredLength` may lie about the payload's size. */
export function http2Frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0), declaredLength = payload.length): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(declaredLength, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** The 5-byte gRPC message prefix and `message`; `declaredLength` may lie. */
export function grpcMessage(message: Buffer, compressed = 0, declaredLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = compressed;
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, message]);
}

/** Writes `bytes` on a fresh connection; resolves when the daemon closes it, or after `waitMs` (then closes it ourselves). */
export function sendBytes(socketPath: string, bytes: Buffer, waitMs: number): Promise<'closed by daemon' | 'left open'> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      resolve('left open');
      socket.destroy();
    }, waitMs);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed by daemon');
    });
    socket.write(bytes);
  });
}

export interface Http2Outcome {
  /** `:status`, with `grpc-status` from the headers or trailers when there is one. */
  httpStatus?: number;
  grpcStatus?: number;
  /** Set when the stream was reset rather than answered. */
  reset?: string;
  timedOut: boolean;
}

/** One HTTP/2 request on `session`; `end: false` leaves the request half-open until `waitMs` passes. */
export function http2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer | undefined,
  { end = true, waitMs }: { end?: boolean; waitMs: number },
): Promise<Http2Outcome> {
  return new Promise((resolve) => {
    const outcome: Http2Outcome = { timedOut: false };
    const request = session.request(headers, { endStream: false });
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      request.close(http2.constants.NGHTTP2_CANCEL);
    }, waitMs);
    const status = (h: http2.IncomingHttpHeaders) => {
      if (h[':status'] !== undefined) outcome.httpStatus = Number(h[':status']);
      if (h['grpc-status'] !== undefined) outcome.grpcStatus = Number(h['grpc-status']);
    };
    request.on('response', status);
    request.on('trailers', status);
    request.on('data', () => {});
    request.on('error', (error) => (outcome.reset = error.message));
    request.on('close', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
    if (body) request.write(body);
    if (end) request.end();
  });
}

export function connectHttp2(socketPath: string): http2.ClientHttp2Session {
  const session = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
  session.on('error', () => {});
  return session;
}
