#!/usr/bin/env bash
# Installs what wsruntime's start, test and demo need and is not here yet:
# Debian packages (containerd, runc, busybox-static, Python gRPC for the
# polyglot example) and the node modules of package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
# libprotobuf-dev holds the well-known .proto files (timestamp, any) protoc needs.
for pkg in containerd runc busybox-static protobuf-compiler libprotobuf-dev protobuf-compiler-grpc python3-grpcio python3-protobuf; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "wsruntime: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "wsruntime: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# node_modules/.package-lock.json is npm's record of the last install; when it
# is older than package-lock.json the tree is stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "wsruntime: installing node modules (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
elif [ ! -d dist ]; then
  npm run --silent build >&2
fi
