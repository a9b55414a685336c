#!/bin/sh
# Generates the Python stubs this example imports into OUT_DIR (default
# ./stubs), from the daemon's own protos and the local rpc_status.proto.
# Needs Debian's protobuf-compiler and protobuf-compiler-grpc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/stubs"}
mkdir -p "$out"
# /usr/include holds google/protobuf/*.proto (timestamp, any) from libprotobuf-dev.
protoc \
  -I "$here/../../proto" -I "$here/proto" -I /usr/include \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  wsruntime/v1/runtime.proto rpc_status.proto
