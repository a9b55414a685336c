// A check that an encoded protobuf message is framed sanely: every field, and
// every nested message named, ends within the bytes received. For decoders
// that trust declared lengths (google-protobuf reads a string by looping over
// its declared length, so ten bytes can ask for 2^31 iterations).

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** Field number → the wire shape of the message that length-delimited field holds. */
export interface WireShape {
  readonly [field: number]: WireShape;
}

/** Throws (an Error saying why) unless `bytes` is a well-framed message of `shape`. */
export function assertWireBounds(bytes: Uint8Array, shape: WireShape = {}): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    const nested = shape[field];
    if (wireType === WireType.LengthDelimited && nested) assertWireBounds(reader.bytes(), nested);
    else reader.skip(wireType, field);
  }
}
