// containerd's Tasks.Get, which our containerd proto subset (proto/containerd)
// leaves out because the daemon never needs it: it learns pids from events
// and Tasks.List. A naive tool asks Get per request, so the bench defines
// that one method by hand, wire-compatible with containerd 1.6:
//   GetRequest  { string container_id = 1; string exec_id = 2; }
//   GetResponse { containerd.v1.types.Process process = 1; }

import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import type { MethodDefinition } from 'nice-grpc';
import { Process } from '../gen/containerd/v1/types/task.js';

export interface GetTaskRequest {
  containerId: string;
}

export interface GetTaskResponse {
  process: Process | undefined;
}

function encodeRequest(request: GetTaskRequest): Uint8Array {
  return new BinaryWriter().uint32(10).string(request.containerId).finish();
}

function decodeRequest(bytes: Uint8Array): GetTaskRequest {
  const reader = new BinaryReader(bytes);
  const request: GetTaskRequest = { containerId: '' };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10) request.containerId = reader.string();
    else reader.skip(tag & 7);
  }
  return request;
}

function encodeResponse(response: GetTaskResponse): Uint8Array {
  const writer = new BinaryWriter();
  if (response.process) Process.encode(response.process, writer.uint32(10).fork()).join();
  return writer.finish();
}

function decodeResponse(bytes: Uint8Array): GetTaskResponse {
  const reader = new BinaryReader(bytes);
  const response: GetTaskResponse = { process: undefined };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === 10) response.process = Process.decode(reader, reader.uint32());
    else reader.skip(tag & 7);
  }
  return response;
}

export const TasksGetDefinition = {
  get: {
    path: '/containerd.services.tasks.v1.Tasks/Get',
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeRequest,
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
    options: { idempotencyLevel: 'NO_SIDE_EFFECTS' },
  } satisfies MethodDefinition<GetTaskRequest, GetTaskRequest, GetTaskResponse, GetTaskResponse, false, false>,
} as const;
