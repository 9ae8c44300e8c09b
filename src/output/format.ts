// Renders command results as -o json|yaml|name|wide or a table, one printer for every command.
import { stringify } from 'yaml';
import { usageError } from '../../shared/errors.js';
import { renderTable } from './table.js';

export const OUTPUT_FORMATS = ['json', 'yaml', 'name', 'wide'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number] | 'table';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw usageError(`unknown output format '${value}'`, `use one of: ${OUTPUT_FORMATS.join(', ')}`);
}

/** Serialises Kubernetes-shaped data: YAML 1.1 compatible, long strings never folded. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, version: '1.1' });
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A List object for -o json/yaml of several items, as kubectl prints it. */
export function asList(items: unknown[]): { apiVersion: string; kind: string; items: unknown[] } {
  return { apiVersion: 'v1', kind: 'List', items };
}

export interface Columns<T> {
  headers: string[];
  wideHeaders?: string[];
  row(item: T): string[];
  wideRow?(item: T): string[];
  name(item: T): string;
}

/** Formats items for stdout in the requested format. */
export function formatItems<T>(items: T[], format: OutputFormat, columns: Columns<T>, toObject: (item: T) => unknown, noHeaders = false): string {
  switch (format) {
    case 'json':
      return toJson(asList(items.map(toObject)));
    case 'yaml':
      return toYaml(asList(items.map(toObject)));
    case 'name':
      return items.map((i) => `${columns.name(i)}\n`).join('');
    case 'wide':
      return renderTable(
        [...columns.headers, ...(columns.wideHeaders ?? [])],
        items.map((i) => [...columns.row(i), ...(columns.wideRow?.(i) ?? [])]),
        { noHeaders },
      );
    default:
      return renderTable(columns.headers, items.map((i) => columns.row(i)), { noHeaders });
  }
}
