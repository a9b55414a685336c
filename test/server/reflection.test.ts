import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client as GrpcClient, credentials, status as grpcStatus } from '@grpc/grpc-js';
import { createFileRegistry, fromBinary, toBinary, create, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { createClient, createServer, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { HealthCheckRequest, HealthCheckResponse } from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import { ServerReflectionService } from 'nice-grpc-server-reflection';
import reflectionPb from 'nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js';
import { RuntimeServiceDefinition } from '../../gen/wsruntime/v1/runtime.js';
import { descriptorSetUrl, serveReflection, serverReflectionV1Alpha } from '../../src/server/reflection.js';
import { listenOnTempSocket, type TempSocketServer } from './temp-socket-server.js';

const { ServerReflectionRequest } = reflectionPb;
type ServerReflectionRequest = InstanceType<typeof ServerReflectionRequest>;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('reflection', () => {
  let harness: TempSocketServer;

  before(async () => {
    const server = createServer();
    serveReflection(server);
    harness = await listenOnTempSocket(server);
  });

  after(async () => {
    await harness.close();
  });

  /** One request on a fresh ServerReflectionInfo stream; its one response. */
  async function ask(request: ServerReflectionRequest, definition = ServerReflectionService) {
    const client = createClient(definition, harness.channel);
    const requests = (async function* () {
      yield request;
    })();
    for await (const response of client.serverReflectionInfo(requests)) return response;
    throw new Error('no response');
  }

  async function fileDescriptors(request: ServerReflectionRequest): Promise<FileDescriptorProto[]> {
    const response = await ask(request);
    assert.equal(response.getErrorResponse(), undefined, response.getErrorResponse()?.getErrorMessage());
    return response
      .getFileDescriptorResponse()!
      .getFileDescriptorProtoList_asU8()
      .map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  }

  /** Fetches the file defining `symbol` and, by name, every file it imports, as a tool would. */
  async function registryFor(symbol: string): Promise<FileRegistry> {
    const files = await fileDescriptors(new ServerReflectionRequest().setFileContainingSymbol(symbol));
    for (let i = 0; i < files.length; i++) {
      for (const dep of files[i]!.dependency) {
        if (!files.some((f) => f.name === dep)) files.push(...(await fileDescriptors(new ServerReflectionRequest().setFileByFilename(dep))));
      }
    }
    return createFileRegistry(files[0]!, (name) => files.find((f) => f.name === name));
  }

  it('lists RuntimeService and Health', async () => {
    const response = await ask(new ServerReflectionRequest().setListServices('*'));
    const names = response.getListServicesResponse()!.getServiceList().map((s) => s.getName());
    assert.deepEqual(names.sort(), ['grpc.health.v1.Health', 'wsruntime.v1.RuntimeService']);
  });

  it('speaks v1alpha too', async () => {
    const response = await ask(new ServerReflectionRequest().setListServices('*'), serverReflectionV1Alpha);
    assert.equal(response.getListServicesResponse()!.getServiceList().length, 2);
  });

  it('describes RuntimeService with every method our stubs call, and its error details', async () => {
    const registry = await registryFor('wsruntime.v1.RuntimeService');
    const service = registry.getService('wsruntime.v1.RuntimeService');
    assert.ok(service);
    const described = service.methods.map((m) => `/${service.typeName}/${m.name}:${m.methodKind}`).sort();
    const expected = Object.values(RuntimeServiceDefinition.methods)
      .map((m) => `/${RuntimeServiceDefinition.fullName}/${m.name}:${m.responseStream ? 'server_streaming' : 'unary'}`)
      .sort();
    assert.deepEqual(described, expected);
    for (const detail of ['ContainerNotFound', 'NoUpperdir', 'NoCGroup', 'PathNotMapped']) {
      assert.ok(registry.getMessage(`wsruntime.v1.${detail}`), detail);
    }
  });

  it('finds the file of a method symbol', async () => {
    const [file] = await fileDescriptors(new ServerReflectionRequest().setFileContainingSymbol('wsruntime.v1.RuntimeService.ContainerPID'));
    assert.equal(file?.name, 'wsruntime/v1/runtime.proto');
  });

  it('describes Health as nice-grpc-server-health serves it', async () => {
    const registry = await registryFor('grpc.health.v1.Health');
    const service = registry.getService('grpc.health.v1.Health')!;
    const described = service.methods.map((m) => `/${service.typeName}/${m.name}:${m.methodKind}`).sort();
    const served = Object.values(HealthDefinition.methods)
      .map((m) => `/${HealthDefinition.fullName}/${m.name}:${m.responseStream ? 'server_streaming' : 'unary'}`)
      .sort();
    assert.deepEqual(described, served);

    // The same bytes mean the same thing to the library's codec and to the descriptor.
    const responseSchema = registry.getMessage('grpc.health.v1.HealthCheckResponse')!;
    const encoded = HealthCheckResponse.encode({ status: 2 }).finish();
    const decoded = fromBinary(responseSchema, encoded) as unknown as { status: number };
    assert.equal(decoded.status, 2);
    const statusEnum = registry.getEnum('grpc.health.v1.HealthCheckResponse.ServingStatus')!;
    assert.equal(statusEnum.values.find((v) => v.number === 2)?.name, 'NOT_SERVING');

    const requestSchema = registry.getMessage('grpc.health.v1.HealthCheckRequest')!;
    const request = toBinary(requestSchema, create(requestSchema, { service: 'wsruntime.v1.RuntimeService' } as never));
    assert.equal(HealthCheckRequest.decode(request).service, 'wsruntime.v1.RuntimeService');
  });

  it('answers NOT_FOUND for an unknown symbol', async () => {
    const response = await ask(new ServerReflectionRequest().setFileContainingSymbol('no.such.Thing'));
    assert.equal(response.getErrorResponse()?.getErrorCode(), Status.NOT_FOUND);
  });

  // google-protobuf reads a string by looping over its declared length, bytes
  // there or not: ten bytes declaring 2^31-1 kept the event loop busy ~15 s.
  for (const definition of [ServerReflectionService, serverReflectionV1Alpha]) {
    it(`refuses a request that declares more bytes than it has, at once (${definition.serverReflectionInfo.path})`, async () => {
      const host = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x61]); // field 1, length 2^31-1, then one byte
      const raw = new GrpcClient(harness.address, credentials.createInsecure());
      try {
        const started = Date.now();
        const code = await new Promise<number>((resolve) => {
          const identity = (b: Buffer) => b;
          const call = raw.makeBidiStreamRequest(definition.serverReflectionInfo.path, identity, identity, { deadline: Date.now() + 5_000 });
          call.on('data', () => {});
          call.on('error', () => {});
          call.on('status', (s: { code: number }) => resolve(s.code));
          call.write(host);
          call.end();
        });
        assert.equal(code, grpcStatus.INTERNAL);
        assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
      } finally {
        raw.close();
      }
    });
  }

  it('gen/wsruntime.binpb matches a fresh buf build of proto/wsruntime (run `npm run gen`)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wsruntime-binpb-'));
    try {
      const out = path.join(dir, 'wsruntime.binpb');
      const buf = path.join(repoRoot, 'node_modules/.bin/buf');
      execFileSync(buf, ['build', '--path', 'proto/wsruntime', '--as-file-descriptor-set', '-o', out], { cwd: repoRoot, stdio: 'pipe' });
      assert.ok(readFileSync(out).equals(readFileSync(descriptorSetUrl)), 'gen/wsruntime.binpb is stale');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
