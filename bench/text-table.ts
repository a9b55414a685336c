// A plain-text table: the first column left-aligned, the others right-aligned
// (they hold numbers), two spaces between columns, and optionally a line of
// group titles above the header, each spanning some columns.

export interface ColumnGroup {
  title: string;
  span: number;
}

export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, groups?: readonly ColumnGroup[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (groups) lines.unshift(groupLine(groups, widths));
  return lines.join('\n');
}

function groupLine(groups: readonly ColumnGroup[], widths: readonly number[]): string {
  const cells: string[] = [];
  let column = 0;
  for (const { title, span } of groups) {
    const width = widths.slice(column, column + span).reduce((a, b) => a + b, 0) + 2 * (span - 1);
    const label = title === '' ? '' : ` ${title} `;
    const left = Math.floor((width - label.length) / 2);
    cells.push(title === '' ? ' '.repeat(width) : '-'.repeat(Math.max(0, left)) + label + '-'.repeat(Math.max(0, width - left - label.length)));
    column += span;
  }
  return cells.join('  ').trimEnd();
}
