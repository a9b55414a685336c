// Request validation. Container ids and workspace instance ids follow
// containerd's identifier rule (containerd/identifiers.Validate), so anything
// the runtime could never hold is refused before it reaches the Runtime, with
// a google.rpc.BadRequest field violation that says why.

import { InvalidArgumentError, type FieldViolation } from '../errors.js';

export const maxIdentifierLength = 76;
export const identifierPattern = /^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$/;

// C0 controls, DEL and the C1 range.
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `value` is not a valid containerd identifier, or undefined when it is. */
export function identifierProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > maxIdentifierLength) {
    return `is too long (${value.length} > ${maxIdentifierLength} characters)`;
  }
  const control = controlCharacter.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains a control character (U+${code} at index ${control.index})`;
  }
  if (value.includes('/') || value.includes('\\') || value === '.' || value === '..') {
    return 'is path-like (contains "/" or "\\", or is "." or "..")';
  }
  if (!identifierPattern.test(value)) {
    return `has bad characters: it must be letters and digits, separated by single ".", "_" or "-" (${identifierPattern.source})`;
  }
  return undefined;
}

/** Throws InvalidArgumentError naming `field` (snake_case, as in the proto) unless `value` is an identifier. */
export function requireIdentifier(field: string, value: string): string {
  const description = identifierProblem(value);
  if (description !== undefined) {
    const violation: FieldViolation = { field, description };
    throw new InvalidArgumentError([violation]);
  }
  return value;
}

export function requireContainerId(value: string): string {
  return requireIdentifier('container_id', value);
}

export function requireWorkspaceInstanceId(value: string): string {
  return requireIdentifier('workspace_instance_id', value);
}
