#!/bin/sh
# Generates the Python stubs this example imports into OUT_DIR (default
# ./stubs), from the daemon's own protos and the local rpc_status.proto.
# Needs Debian's protobuf-compiler, protobuf-compiler-grpc and libprotobuf-dev.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/stubs"}
mkdir -p "$out"
# google/protobuf/{timestamp,any}.proto come from libprotobuf-dev, which
# protobuf-compiler only recommends.
if [ ! -f /usr/include/google/protobuf/any.proto ]; then
  echo "gen-stubs.sh: /usr/include/google/protobuf/any.proto is missing; install libprotobuf-dev" >&2
  exit 1
fi
protoc \
  -I "$here/../../proto" -I "$here/proto" -I /usr/include \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" \
  wsruntime/v1/runtime.proto rpc_status.proto
