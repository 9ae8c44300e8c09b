// Tables the way kubectl prints them: upper-case headers, columns padded to the widest cell plus
// three spaces, no trailing blanks, no borders.

export interface TableOptions {
  noHeaders?: boolean;
}

export function renderTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const all = options.noHeaders ? rows : [headers.map((h) => h.toUpperCase()), ...rows];
  if (all.length === 0) return '';
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : (cell ?? '').padEnd(widths[i] + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
