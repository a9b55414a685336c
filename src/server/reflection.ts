// gRPC server reflection, so generic tools (grpcurl, grpcui, Postman) can
// list and call the daemon without our .proto files. The descriptors of
// wsruntime.v1 come from gen/wsruntime.binpb, which `npm run gen` builds with
// `buf build` (imports included) and a test keeps current; grpc.health.v1 is
// not in our proto tree (nice-grpc-server-health ships only generated code),
// so its file descriptor is written out below.

import { readFileSync } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import type { Server } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import { assertWireBounds, type WireShape } from './wire-bounds.js';

/** The services reflection lists. */
export const reflectedServices: readonly string[] = [RuntimeServiceDefinition.fullName, HealthDefinition.fullName];

/** Where `npm run gen` writes the descriptor set; `npm run build` copies it next to dist/gen. */
export const descriptorSetUrl = new URL('../../gen/wsruntime.binpb', import.meta.url);

/**
 * Adds grpc.reflection.v1 and its predecessor grpc.reflection.v1alpha (still
 * the only one grpc_cli and older grpcurl speak; the messages are the same on
 * the wire) to `server`, before it listens.
 */
export function serveReflection(server: Server): void {
  const impl = ServerReflection(reflectionDescriptorSet(), reflectedServices);
  server.add(serverReflectionV1, impl);
  server.add(serverReflectionV1Alpha, impl);
}

type ReflectionDefinition = typeof ServerReflectionService;
type ReflectionPath = ReflectionDefinition['serverReflectionInfo']['path'];

// ServerReflectionRequest: field 5 (file_containing_extension) holds an
// ExtensionRequest; every other field is a scalar or a string.
const reflectionRequestShape: WireShape = { 5: {} };

/**
 * The library's definition with the request framing checked before
 * google-protobuf decodes it: google-protobuf spends time in proportion to a
 * string's declared length, so a few bytes declaring 2^31 would block the
 * daemon for seconds. A badly framed request fails as any undecodable one
 * does (INTERNAL), at once.
 */
function guardedReflection(path: ReflectionPath): ReflectionDefinition {
  const method = ServerReflectionService.serverReflectionInfo;
  return {
    serverReflectionInfo: {
      ...method,
      path,
      requestDeserialize: (bytes: Buffer) => {
        assertWireBounds(bytes, reflectionRequestShape);
        return method.requestDeserialize(bytes);
      },
    },
  };
}

/** grpc.reflection.v1.ServerReflection, with requests checked before decoding. */
export const serverReflectionV1: ReflectionDefinition = guardedReflection(ServerReflectionService.serverReflectionInfo.path);

/** grpc.reflection.v1alpha.ServerReflection: v1's definition under its old path. */
export const serverReflectionV1Alpha: ReflectionDefinition = guardedReflection(
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo' as ReflectionPath,
);

/**
 * The encoded FileDescriptorSet reflection serves: ours plus health's. Two
 * encoded sets concatenated are one set holding the files of both (a
 * repeated field's entries append on the wire).
 */
export function reflectionDescriptorSet(): Uint8Array {
  const ours = readFileSync(descriptorSetUrl);
  const health = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: [healthFileDescriptor()] }));
  return Buffer.concat([ours, health]);
}

/**
 * grpc/health/v1/health.proto as protoc describes it, Check and Watch only
 * (List, added upstream later, is not served by nice-grpc-server-health). A
 * test checks it against the codec and method paths nice-grpc-server-health
 * actually uses.
 */
export function healthFileDescriptor(): FileDescriptorProto {
  const LABEL_OPTIONAL = FieldDescriptorProto_Label.OPTIONAL;
  return create(FileDescriptorProtoSchema, {
    name: 'grpc/health/v1/health.proto',
    package: 'grpc.health.v1',
    syntax: 'proto3',
    options: { goPackage: 'google.golang.org/grpc/health/grpc_health_v1', javaPackage: 'io.grpc.health.v1', javaMultipleFiles: true },
    messageType: [
      {
        name: 'HealthCheckRequest',
        field: [{ name: 'service', number: 1, label: LABEL_OPTIONAL, type: FieldDescriptorProto_Type.STRING, jsonName: 'service' }],
      },
      {
        name: 'HealthCheckResponse',
        field: [
          {
            name: 'status',
            number: 1,
            label: LABEL_OPTIONAL,
            type: FieldDescriptorProto_Type.ENUM,
            typeName: '.grpc.health.v1.HealthCheckResponse.ServingStatus',
            jsonName: 'status',
          },
        ],
        enumType: [
          {
            name: 'ServingStatus',
            value: [
              { name: 'UNKNOWN', number: 0 },
              { name: 'SERVING', number: 1 },
              { name: 'NOT_SERVING', number: 2 },
              { name: 'SERVICE_UNKNOWN', number: 3 },
            ],
          },
        ],
      },
    ],
    service: [
      {
        name: 'Health',
        method: [
          { name: 'Check', inputType: '.grpc.health.v1.HealthCheckRequest', outputType: '.grpc.health.v1.HealthCheckResponse' },
          {
            name: 'Watch',
            inputType: '.grpc.health.v1.HealthCheckRequest',
            outputType: '.grpc.health.v1.HealthCheckResponse',
            serverStreaming: true,
          },
        ],
      },
    ],
  });
}
