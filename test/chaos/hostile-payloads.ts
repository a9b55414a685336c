// Protobuf payloads no honest client sends: built byte by byte, so they can
// be wrong in ways an encoder never is. Each is named, so a failure says which.

import type { Prng } from './prng.js';

export interface HostilePayload {
  name: string;
  bytes: Buffer;
}

/** The base-128 varint of `value`, which may exceed 2^53. */
export function varint(value: bigint | number): Buffer {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, startGroup: 3, endGroup: 4, fixed32: 5, invalid6: 6, invalid7: 7 } as const;

export function tag(field: number, wireType: number): Buffer {
  return varint((BigInt(field) << 3n) | BigInt(wireType));
}

export function stringField(field: number, bytes: Buffer | string): Buffer {
  const value = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return Buffer.concat([tag(field, WireType.lengthDelimited), varint(value.length), value]);
}

/** Hostile variants of a message whose field 1 is a string (every request here but Errors'). */
export function hostilePayloads(prng: Prng, valid: Buffer): HostilePayload[] {
  const ld = WireType.lengthDelimited;
  const payloads: HostilePayload[] = [
    { name: 'empty', bytes: Buffer.alloc(0) },
    { name: 'valid', bytes: valid },
    // Truncated varints: in the tag, in a length, in a value; and an 11-byte one.
    { name: 'truncated tag varint', bytes: Buffer.from([0x80]) },
    { name: 'truncated length varint', bytes: Buffer.from([0x0a, 0x80]) },
    { name: 'truncated value varint', bytes: Buffer.from([0x10, 0xff, 0xff]) },
    { name: 'overlong varint', bytes: Buffer.concat([Buffer.from([0x10]), Buffer.alloc(10, 0xff), Buffer.from([0x01])]) },
    { name: 'overlong tag', bytes: Buffer.concat([Buffer.alloc(10, 0xff), Buffer.from([0x01])]) },
    // Field 1 with every other wire type, including the two that do not exist.
    { name: 'string field as varint', bytes: Buffer.concat([tag(1, WireType.varint), varint(1)]) },
    { name: 'string field as fixed64', bytes: Buffer.concat([tag(1, WireType.fixed64), Buffer.alloc(8, 0x41)]) },
    { name: 'string field as fixed32', bytes: Buffer.concat([tag(1, WireType.fixed32), Buffer.alloc(4, 0x41)]) },
    { name: 'string field as group', bytes: Buffer.concat([tag(1, WireType.startGroup), tag(1, WireType.endGroup)]) },
    { name: 'unterminated group', bytes: Buffer.concat([tag(1, WireType.startGroup), stringField(2, 'x')]) },
    { name: 'mismatched end group', bytes: Buffer.concat([tag(1, WireType.startGroup), tag(2, WireType.endGroup)]) },
    { name: 'lone end group', bytes: tag(1, WireType.endGroup) },
    { name: 'wire type 6', bytes: Buffer.concat([tag(1, WireType.invalid6), Buffer.alloc(8)]) },
    { name: 'wire type 7', bytes: Buffer.concat([tag(1, WireType.invalid7), Buffer.alloc(8)]) },
    { name: 'field number 0', bytes: Buffer.concat([tag(0, ld), varint(1), Buffer.from('a')]) },
    { name: 'field number 2^29-1', bytes: Buffer.concat([tag(2 ** 29 - 1, ld), varint(1), Buffer.from('a')]) },
    { name: 'field number above 2^29', bytes: Buffer.concat([tag(2 ** 32, ld), varint(1), Buffer.from('a')]) },
    // Invalid UTF-8 in the string field.
    { name: 'invalid utf-8: bare continuation bytes', bytes: stringField(1, Buffer.from([0x80, 0xbf])) },
    { name: 'invalid utf-8: 0xff 0xfe', bytes: stringField(1, Buffer.from([0x61, 0xff, 0xfe, 0x62])) },
    { name: 'invalid utf-8: overlong "/"', bytes: stringField(1, Buffer.from([0x61, 0xc0, 0xaf, 0x62])) },
    { name: 'invalid utf-8: overlong "."', bytes: stringField(1, Buffer.from([0xc0, 0xae, 0xc0, 0xae])) },
    { name: 'invalid utf-8: surrogate', bytes: stringField(1, Buffer.from([0x61, 0xed, 0xa0, 0x80])) },
    { name: 'invalid utf-8: truncated sequence', bytes: stringField(1, Buffer.from([0x61, 0xe2, 0x82])) },
    // Lengths far beyond the message.
    { name: 'length 2^31-1', bytes: Buffer.concat([tag(1, ld), varint(2 ** 31 - 1), Buffer.from('a')]) },
    { name: 'length 2^32', bytes: Buffer.concat([tag(1, ld), varint(2 ** 32), Buffer.from('a')]) },
    { name: 'length 2^53', bytes: Buffer.concat([tag(1, ld), varint(2n ** 53n), Buffer.from('a')]) },
    { name: 'length 2^64-1', bytes: Buffer.concat([tag(1, ld), varint(2n ** 64n - 1n), Buffer.from('a')]) },
    { name: 'length one past the end', bytes: Buffer.concat([tag(1, ld), varint(2), Buffer.from('a')]) },
    { name: 'unknown field length past the end', bytes: Buffer.concat([valid, tag(7, ld), varint(1000)]) },
    // Unknown fields of every wire type around a valid one; the id twice.
    {
      name: 'unknown fields around a valid request',
      bytes: Buffer.concat([
        tag(90, WireType.varint),
        varint(2n ** 63n),
        tag(91, WireType.fixed64),
        Buffer.alloc(8, 1),
        valid,
        tag(92, WireType.fixed32),
        Buffer.alloc(4, 2),
        stringField(93, prng.bytes(64)),
        tag(94, WireType.startGroup),
        stringField(1, 'inside'),
        tag(94, WireType.endGroup),
      ]),
    },
    { name: 'field 1 twice (last wins)', bytes: Buffer.concat([valid, stringField(1, '../etc')]) },
    { name: 'unknown field with a huge length', bytes: Buffer.concat([stringField(95, Buffer.alloc(1 << 20, 0x61)), valid]) },
    // Deeply nested groups make a recursive skip go deep.
    {
      name: 'groups nested 100 000 deep',
      bytes: Buffer.concat([Buffer.alloc(100_000, tag(9, WireType.startGroup)[0]!), Buffer.alloc(100_000, tag(9, WireType.endGroup)[0]!)]),
    },
    { name: 'a million start groups', bytes: Buffer.alloc(1_000_000, tag(9, WireType.startGroup)[0]!) },
    // A request string of 3 MiB (under the 4 MiB limit), and messages over it.
    { name: 'a 3 MiB id', bytes: stringField(1, Buffer.alloc(3 << 20, 0x61)) },
    { name: 'oversized: 4 MiB + 1', bytes: prng.bytes((4 << 20) + 1) },
    { name: 'oversized: 5 MiB id', bytes: stringField(1, Buffer.alloc(5 << 20, 0x61)) },
  ];
  // Random bytes, and random mutations of the valid request.
  for (let i = 0; i < 24; i++) payloads.push({ name: `random #${i}`, bytes: prng.bytes(prng.int(96)) });
  for (let i = 0; i < 24; i++) payloads.push({ name: `mutated #${i}`, bytes: mutate(prng, valid) });
  return payloads;
}

function mutate(prng: Prng, valid: Buffer): Buffer {
  const bytes = Buffer.from(valid);
  switch (prng.int(4)) {
    case 0:
      return bytes.subarray(0, prng.int(bytes.length));
    case 1:
      bytes[prng.int(bytes.length)] = prng.int(256);
      return bytes;
    case 2: {
      const at = prng.int(bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, at), prng.bytes(1 + prng.int(8)), bytes.subarray(at)]);
    }
    default:
      return Buffer.concat([bytes, prng.bytes(1 + prng.int(16))]);
  }
}
