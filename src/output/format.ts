// The serialisations and the table shape behind -o (print.ts picks among them), and -o's formats.
import { stringify } from 'yaml';

/** -o of the listing commands, as kubectl get has it. */
export const OUTPUT_FORMATS = ['json', 'yaml', 'name', 'wide'] as const;

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
