// The options of createRuntimeClient, compiled once: defaults, and the
// translation of a socket path into a gRPC address, live here and nowhere else.

import path from 'node:path';
import type { RuntimeUnavailableError } from '../errors.js';

/** Where `wsruntimed` listens unless told otherwise. */
export const defaultSocket = '/run/wsruntime/wsruntime.sock';

/** Told before each re-issue of a call that met UNAVAILABLE. */
export interface RetryEvent {
  /** The RPC, e.g. `/wsruntime.v1.RuntimeService/WaitForContainer`. */
  method: string;
  /** 0 for the first retry. */
  attempt: number;
  /** How long the client waits before re-issuing. */
  delayMs: number;
  error: RuntimeUnavailableError;
}

export interface RuntimeClientOptions {
  /**
   * A socket path (default `/run/wsruntime/wsruntime.sock`; relative paths
   * are resolved against the working directory), or a full gRPC address:
   * `unix:/path`, `unix:///path`, `unix-abstract:name`, `host:port`,
   * `dns:///host:port`, `http://host:port`.
   */
  socket?: string;
  /**
   * Called before each retry after the daemon was unavailable, e.g. to tell a
   * user that a wait is riding out a daemon restart. Must not throw.
   */
  onRetry?: (event: RetryEvent) => void;
}

export interface CompiledRuntimeClientOptions {
  address: string;
  onRetry?: (event: RetryEvent) => void;
}

export function compileRuntimeClientOptions(options: RuntimeClientOptions = {}): CompiledRuntimeClientOptions {
  return { address: toGrpcAddress(options.socket ?? defaultSocket), onRetry: options.onRetry };
}

// gRPC name-resolver schemes a caller may give verbatim.
const schemePattern = /^(?:unix|unix-abstract|dns|ipv4|ipv6|vsock|https?):/;
// host:port, [v6]:port; a file named like that needs a slash (`./a:1`).
const hostPortPattern = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):\d+$/;

/**
 * Turns what a user calls a socket into a gRPC target. `unix:<path>` becomes
 * `unix://<absolute path>` because nice-grpc's createChannel would otherwise
 * read the scheme-less form as host:port and append `:80`.
 */
export function toGrpcAddress(socket: string): string {
  if (socket === '') throw new TypeError('socket must not be empty');
  if (socket.startsWith('unix:') && !socket.startsWith('unix://')) {
    return `unix://${path.resolve(socket.slice('unix:'.length))}`;
  }
  if (schemePattern.test(socket) || hostPortPattern.test(socket)) return socket;
  return `unix://${path.resolve(socket)}`;
}
