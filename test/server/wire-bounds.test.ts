import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import reflectionPb from 'nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js';
import { assertWireBounds } from '../../src/server/wire-bounds.js';

const { ExtensionRequest, ServerReflectionRequest } = reflectionPb;

describe('assertWireBounds', () => {
  const shape = { 5: {} };

  it('accepts what google-protobuf encodes, nested messages and unknown fields included', () => {
    const full = new ServerReflectionRequest()
      .setHost('h')
      .setFileContainingExtension(new ExtensionRequest().setContainingType('a.B').setExtensionNumber(-7))
      .serializeBinary();
    assertWireBounds(full, shape);
    assertWireBounds(new ServerReflectionRequest().setListServices('*').serializeBinary(), shape);
    assertWireBounds(new Uint8Array(), shape);
    // Unknown fields of every wire type, a group among them.
    assertWireBounds(Uint8Array.from([0x48, 0x01, 0x51, ...Array(8).fill(0), 0x5d, 0, 0, 0, 0, 0x63, 0x08, 0x01, 0x64]), shape);
  });

  it('refuses lengths past the end, at the top and in a nested message', () => {
    assert.throws(() => assertWireBounds(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x61]), shape), /premature EOF/);
    // Field 5 holds 4 bytes, but its field 1 declares 100.
    assert.throws(() => assertWireBounds(Uint8Array.from([0x2a, 0x04, 0x0a, 0x64, 0x61, 0x61]), shape), /premature EOF/);
    // Unnamed nested fields are only checked as a whole.
    assertWireBounds(Uint8Array.from([0x1a, 0x02, 0x0a, 0x64]), shape);
  });

  it('refuses truncated varints, invalid wire types and unbalanced groups', () => {
    for (const bytes of [[0x80], [0x08, 0xff], [0x0e], [0x0f], [0x0b], [0x0b, 0x14], [0x00]]) {
      assert.throws(() => assertWireBounds(Uint8Array.from(bytes), shape), Error, `accepted ${JSON.stringify(bytes)}`);
    }
  });
});
