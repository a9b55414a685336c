#!/usr/bin/python3
"""A wsruntime client in Python, with Debian's python3-grpcio and python3-protobuf.

Waits for a workspace instance's container, reads its PID and cgroup path,
then asks for the PID of a container that does not exist and decodes the
wsruntime.v1.ContainerNotFound detail from the error's status trailer. Prints
one JSON object. Run ./gen-stubs.sh first and put its output on PYTHONPATH:

    ./gen-stubs.sh /tmp/wsruntime-stubs
    PYTHONPATH=/tmp/wsruntime-stubs /usr/bin/python3 client.py \\
        --socket /run/wsruntime/wsruntime.sock --instance-id <id>
"""

import argparse
import json
import sys

import grpc

import rpc_status_pb2
from wsruntime.v1 import runtime_pb2, runtime_pb2_grpc

# gRPC puts the encoded google.rpc.Status of a failed call in this trailer.
STATUS_DETAILS_KEY = "grpc-status-details-bin"


def status_details(error: grpc.RpcError):
    """The typed details of a failed call, as google.protobuf.Any messages."""
    for key, value in error.trailing_metadata() or ():
        if key == STATUS_DETAILS_KEY:
            status = rpc_status_pb2.RpcStatus.FromString(value)
            # The trailer must agree with the call's own status.
            assert status.code == error.code().value[0], (status.code, error.code())
            return list(status.details)
    return []


def container_not_found(error: grpc.RpcError):
    """The ContainerNotFound detail of a NOT_FOUND error, or None."""
    if error.code() != grpc.StatusCode.NOT_FOUND:
        return None
    for detail in status_details(error):
        if detail.Is(runtime_pb2.ContainerNotFound.DESCRIPTOR):
            found = runtime_pb2.ContainerNotFound()
            detail.Unpack(found)
            return found
    return None


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", default="/run/wsruntime/wsruntime.sock", help="the daemon's unix socket")
    parser.add_argument("--instance-id", required=True, help="workspace instance id to wait for")
    parser.add_argument("--missing-container-id", default="no-such-container", help="a container id that does not exist")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the container")
    args = parser.parse_args(argv)

    # grpcio speaks unix sockets natively: unix:<absolute path>.
    with grpc.insecure_channel("unix:" + args.socket) as channel:
        stub = runtime_pb2_grpc.RuntimeServiceStub(channel)

        waited = stub.WaitForContainer(
            runtime_pb2.WaitForContainerRequest(workspace_instance_id=args.instance_id),
            timeout=args.timeout,
        )
        container_id = waited.container_id
        pid = stub.ContainerPID(runtime_pb2.ContainerPIDRequest(container_id=container_id), timeout=5).pid
        cgroup = stub.ContainerCGroupPath(runtime_pb2.ContainerCGroupPathRequest(container_id=container_id), timeout=5).path

        try:
            stub.ContainerPID(runtime_pb2.ContainerPIDRequest(container_id=args.missing_container_id), timeout=5)
        except grpc.RpcError as error:
            missing = container_not_found(error)
            if missing is None:
                raise
            not_found = {"code": error.code().name, "containerId": missing.container_id}
        else:
            print(f"container {args.missing_container_id!r} unexpectedly exists", file=sys.stderr)
            return 1

    print(json.dumps({"containerId": container_id, "pid": pid, "cgroupPath": cgroup, "notFound": not_found}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
