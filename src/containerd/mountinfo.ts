// Parsing /proc/<pid>/mountinfo (proc(5)): one mount per line,
//   id parent major:minor root mount-point options [optional...] - fstype source super-options
// with space, tab, newline and backslash in paths written as octal escapes.

export interface MountInfo {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string[];
}

function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 4) continue;
    mounts.push({
      mountPoint: unescape(fields[4]!),
      fsType: fields[separator + 1]!,
      source: unescape(fields[separator + 2]!),
      superOptions: fields[separator + 3]!.split(','),
    });
  }
  return mounts;
}
