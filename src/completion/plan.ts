// Pure: from the words on the command line and the word being completed, decide what to offer —
// subcommands, flags, a flag's fixed values, or something to look up in the cluster.
import { Directive, matching, type Candidate } from './protocol.js';
import type { CommandTable, TableCommand, TableFlag } from './table.js';
import { argValueKind, flagValueKind, type ValueKind } from './value-kinds.js';

/** What to look up; 'vm-qualified' is NAME.NAMESPACE of the VMs in every namespace. */
export type ClusterSource = Exclude<ValueKind, 'file' | 'none'> | 'vm-qualified';

export interface ConnectionChoice {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  'request-timeout'?: string;
}

export type Plan =
  | { kind: 'static'; candidates: Candidate[]; directive: number }
  | {
      kind: 'lookup';
      source: ClusterSource;
      /** Put before every value: "--image=", "root@". */
      prefix: string;
      /** Put after every value: ":" for scp. */
      suffix: string;
      /** What the user typed after the prefix. */
      partial: string;
      directive: number;
      connection: ConnectionChoice;
      /** Fixed words offered along with the looked-up ones (subcommands of a command that is also a topic). */
      extra?: Candidate[];
    };

const CONNECTION_FLAGS = ['kubeconfig', 'context', 'namespace', 'request-timeout'] as const;
const nothing = (directive: number = Directive.noFileComp): Plan => ({ kind: 'static', candidates: [], directive });
const fixed = (candidates: Candidate[], partial: string, directive: number = Directive.noFileComp): Plan => ({
  kind: 'static',
  candidates: matching(candidates, partial),
  directive,
});

/** Commands and topics one level below `prefix` (words), with their summaries. */
export function childrenOf(table: CommandTable, prefix: string[]): Candidate[] {
  const depth = prefix.length;
  const head = prefix.join(' ');
  const children = new Map<string, string | undefined>();
  for (const c of table.commands) {
    if (c.hidden || c.alias) continue;
    const words = c.id.split(' ');
    if (words.length <= depth || words.slice(0, depth).join(' ') !== head) continue;
    const child = words[depth];
    const childId = [...prefix, child].join(' ');
    const summary = words.length === depth + 1 ? c.summary : table.topics[childId];
    if (!children.has(child) || summary) children.set(child, summary ?? children.get(child) ?? table.topics[childId]);
  }
  return [...children]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([value, description]) => ({ value, ...(description ? { description } : {}) }));
}

function isIdPrefix(table: CommandTable, words: string[]): boolean {
  const head = words.join(' ');
  return table.commands.some((c) => c.id === head || c.id.startsWith(`${head} `));
}

function flagCandidates(command: TableCommand | undefined, used: Set<string>, partial: string): Candidate[] {
  const out: Candidate[] = [];
  for (const f of command?.flags ?? []) {
    if (f.hidden || (used.has(f.name) && !f.multiple)) continue;
    out.push({ value: `--${f.name}`, ...(f.summary ? { description: f.summary } : {}) });
    if (f.allowNo) out.push({ value: `--no-${f.name}`, ...(f.summary ? { description: f.summary } : {}) });
    if (f.char && partial === '-') out.push({ value: `-${f.char}`, ...(f.summary ? { description: f.summary } : {}) });
  }
  out.push({ value: '--help', description: 'Show help for this command.' });
  return out;
}

function kindPlan(kind: ValueKind, partial: string, prefix: string, connection: ConnectionChoice): Plan {
  if (kind === 'file') return nothing(Directive.default);
  if (kind === 'none') return nothing();
  if (kind === 'vm-path') {
    if (partial.includes(':') || partial.startsWith('.') || partial.startsWith('/')) return nothing(Directive.default);
    return { kind: 'lookup', source: 'vm', prefix, suffix: ':', partial, directive: Directive.noSpace, connection };
  }
  if (kind === 'vm') {
    // [USER@]NAME[.NAMESPACE]: a user stays as typed; a dot asks for VMs of other namespaces.
    const at = partial.lastIndexOf('@') + 1;
    const name = partial.slice(at);
    const source = name.includes('.') ? 'vm-qualified' : 'vm';
    return { kind: 'lookup', source, prefix: prefix + partial.slice(0, at), suffix: '', partial: name, directive: Directive.noFileComp, connection };
  }
  return { kind: 'lookup', source: kind, prefix, suffix: '', partial, directive: Directive.noFileComp, connection };
}

function flagValuePlan(command: TableCommand, flag: TableFlag, partial: string, prefix: string, connection: ConnectionChoice): Plan {
  if (flag.options) return fixed(flag.options.map((value) => ({ value: prefix + value })), prefix + partial);
  return kindPlan(flagValueKind(command.id, flag.name), partial, prefix, connection);
}

/**
 * `args` is what kubectl passes to kubectl_complete-berth: the words after `kubectl berth`, the
 * last one being the (possibly empty) word under the cursor.
 */
export function planCompletion(table: CommandTable, args: string[]): Plan {
  const words = args.slice(0, -1);
  const partial = args.at(-1) ?? '';
  // `kubectl berth help COMMAND…` takes command words only.
  if (words[0] === 'help') {
    const path = words.slice(1);
    return path.every((_, i) => isIdPrefix(table, path.slice(0, i + 1))) ? fixed(childrenOf(table, path), partial) : nothing();
  }

  const idWords: string[] = [];
  let i = 0;
  while (i < words.length && !words[i].startsWith('-') && isIdPrefix(table, [...idWords, words[i]])) {
    idWords.push(words[i]);
    i++;
  }
  const command = table.commands.find((c) => c.id === idWords.join(' '));
  const rest = words.slice(i);
  if (!command && rest.length > 0) return nothing(); // an unknown command: nothing sensible to offer

  const byName = new Map<string, TableFlag>();
  const byChar = new Map<string, TableFlag>();
  for (const f of command?.flags ?? []) {
    byName.set(f.name, f);
    if (f.allowNo) byName.set(`no-${f.name}`, f);
    if (f.char) byChar.set(f.char, f);
  }
  const used = new Set<string>();
  const connection: ConnectionChoice = {};
  const record = (flag: TableFlag, value: string) => {
    if ((CONNECTION_FLAGS as readonly string[]).includes(flag.name)) connection[flag.name as keyof ConnectionChoice] = value;
  };
  let positionals = 0;
  let pending: TableFlag | undefined;
  let endOfFlags = false;
  for (const word of rest) {
    if (pending) {
      record(pending, word);
      pending = undefined;
    } else if (!endOfFlags && word === '--') {
      endOfFlags = true;
    } else if (!endOfFlags && word.startsWith('--')) {
      const eq = word.indexOf('=');
      const flag = byName.get(word.slice(2, eq < 0 ? undefined : eq));
      if (!flag) continue;
      used.add(flag.name);
      if (flag.takesValue && eq < 0) pending = flag;
      else if (flag.takesValue) record(flag, word.slice(eq + 1));
    } else if (!endOfFlags && word.startsWith('-') && word.length > 1) {
      const flag = byChar.get(word[1]);
      if (!flag) continue;
      used.add(flag.name);
      if (flag.takesValue && word.length === 2) pending = flag;
      else if (flag.takesValue) record(flag, word.slice(2).replace(/^=/, ''));
    } else {
      positionals++;
    }
  }

  if (pending && command) return flagValuePlan(command, pending, partial, '', connection);
  if (!endOfFlags && partial.startsWith('--') && partial.includes('=') && command) {
    const eq = partial.indexOf('=');
    const flag = byName.get(partial.slice(2, eq));
    if (!flag || !flag.takesValue) return nothing();
    return flagValuePlan(command, flag, partial.slice(eq + 1), partial.slice(0, eq + 1), connection);
  }
  if (!endOfFlags && partial.startsWith('-')) {
    if (!command) return fixed([{ value: '--help', description: 'Show help.' }, { value: '--version', description: 'Show the plugin version.' }], partial);
    return fixed(flagCandidates(command, used, partial), partial);
  }

  const children = positionals === 0 ? childrenOf(table, idWords) : [];
  if (!command) return fixed(children, partial);
  const arg = command.args[positionals] ?? (command.strict === false ? command.args.at(-1) : undefined);
  if (!arg) return fixed(children, partial);
  if (arg.options) return fixed([...children, ...arg.options.map((value) => ({ value }))], partial);
  const plan = kindPlan(argValueKind(command.id, arg.name), partial, '', connection);
  if (children.length === 0) return plan;
  // A command that is also a topic ("vnc" and "vnc port-forward"): offer both kinds of word.
  if (plan.kind === 'static') return fixed([...children, ...plan.candidates], partial);
  return { ...plan, extra: matching(children, partial) };
}
