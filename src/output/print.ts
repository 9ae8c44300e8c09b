// The one place where -o picks what stdout shows. An operation returns a typed result (or hands
// over its output as it goes); the command turns that into a Printable, which says what each form
// looks like, and printable() renders the form -o asks for. No command or operation reads -o.
import { usageError } from '../../shared/errors.js';
import { renderTable } from './table.js';
import { asList, toJson, toYaml, type Columns } from './format.js';

/** What -o json|yaml print: a v1 List of items, Kubernetes objects as `kubectl apply -f -` takes them, or one value. */
export type Data = { list: unknown[] } | { objects: readonly object[] } | { value: unknown };

export interface Printable {
  /** Without -o: what a person reads. */
  text(): string;
  /** -o wide: the table with its extra columns. */
  wide?(): string;
  /** -o name: KIND/NAME, one a line, for scripts. */
  names?(): string[];
  /** -o json|yaml. */
  data?(): Data;
  /** Said on stderr instead of an empty table (without -o, or with -o wide), e.g. "No VMs found". */
  empty?: string;
}

function unavailable(output: string): never {
  throw usageError(`-o ${output} is not available for this command`);
}

/** A JSON round trip drops undefined fields and unshares objects, so YAML has no &anchors. */
function plain(objects: readonly object[]): object[] {
  return objects.map((o) => JSON.parse(JSON.stringify(o)) as object);
}

export function renderData(data: Data, format: 'json' | 'yaml'): string {
  const serialise = format === 'json' ? toJson : toYaml;
  if ('list' in data) return serialise(asList(data.list));
  if ('value' in data) return serialise(data.value);
  // Objects print as kubectl prints several of them: a List in JSON, a multi-document stream in YAML.
  return format === 'json' ? toJson(asList(plain(data.objects))) : plain(data.objects).map((o) => toYaml(o)).join('---\n');
}

/** Renders `p` in the form `output` (the -o value) names; without -o, the human form. */
export function printable(p: Printable, output: string | undefined): string {
  switch (output) {
    case undefined:
    case '':
      return p.text();
    case 'name':
      return p.names ? p.names().map((n) => `${n}\n`).join('') : unavailable(output);
    case 'wide':
      return p.wide ? p.wide() : unavailable(output);
    case 'json':
    case 'yaml':
      return p.data ? renderData(p.data(), output) : unavailable(output);
    default:
      return unavailable(output);
  }
}

/** Where printed output goes: data to stdout, notes to stderr. */
export interface Output {
  out(text: string): void;
  note(message: string): void;
}

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  note: (message) => process.stderr.write(`${message}\n`),
};

/** The printer a command hands its operation: renders each Printable as -o asks and writes it. */
export function printer(output: string | undefined, to: Output = stdio): (p: Printable) => void {
  return (p) => {
    if (p.empty !== undefined && (output === undefined || output === '' || output === 'wide')) return to.note(p.empty);
    const text = printable(p, output);
    if (text !== '') to.out(text);
  };
}

export interface TableOptions {
  noHeaders?: boolean;
  /** The note for no items at all. */
  empty?: string;
}

/** Items as a table (kubectl get style), -o wide, name, or a List of `toObject(item)`. */
export function tablePrintable<T>(items: T[], columns: Columns<T>, toObject: (item: T) => unknown, { noHeaders = false, empty }: TableOptions = {}): Printable {
  return {
    ...(items.length === 0 && empty !== undefined ? { empty } : {}),
    text: () => renderTable(columns.headers, items.map((i) => columns.row(i)), { noHeaders }),
    wide: () =>
      renderTable(
        [...columns.headers, ...(columns.wideHeaders ?? [])],
        items.map((i) => [...columns.row(i), ...(columns.wideRow?.(i) ?? [])]),
        { noHeaders },
      ),
    names: () => items.map((i) => columns.name(i)),
    data: () => ({ list: items.map(toObject) }),
  };
}

/** One object a command changed: `vm/web stopped`, or `vm/web` with -o name (as kubectl scale|delete -o name). */
export interface Change {
  ref: string;
  done: string;
}

export function changesPrintable(changes: Change[]): Printable {
  return {
    text: () => changes.map((c) => `${c.ref} ${c.done}\n`).join(''),
    names: () => changes.map((c) => c.ref),
  };
}

/** Objects for -o yaml|json, their names for -o name, and `text` for a person. */
export function objectsPrintable(objects: readonly object[], names: string[], text: string): Printable {
  return { text: () => text, names: () => names, data: () => ({ objects }) };
}
