// Decodes the google.rpc.Status of a `grpc-status-details-bin` trailer by
// hand (fields 1 code, 2 message, 3 repeated Any{1 type_url, 2 value}), so
// that tests check the wire format independently of nice-grpc-error-details.

import { BinaryReader } from '@bufbuild/protobuf/wire';

export interface PackedAny {
  typeUrl: string;
  value: Uint8Array;
}

export interface RpcStatus {
  code: number;
  message: string;
  details: PackedAny[];
}

export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const status: RpcStatus = { code: 0, message: '', details: [] };
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) status.code = reader.int32();
    else if (field === 2) status.message = reader.string();
    else if (field === 3) status.details.push(decodeAny(reader.bytes()));
    else reader.skip(wireType);
  }
  return status;
}

function decodeAny(bytes: Uint8Array): PackedAny {
  const any: PackedAny = { typeUrl: '', value: new Uint8Array() };
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) any.typeUrl = reader.string();
    else if (field === 2) any.value = reader.bytes();
    else reader.skip(wireType);
  }
  return any;
}
