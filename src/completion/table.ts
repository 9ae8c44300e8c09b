// The command table completion reads instead of loading oclif and every command class on each
// <TAB>. It is generated from the bundled commands (at build time, and again whenever the bundle or
// package.json changed since), so new commands are covered without a list to keep.
// Freshness is judged by content, not mtime: archives and krew installs do not keep mtimes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TableFlag {
  name: string;
  char?: string;
  summary?: string;
  takesValue: boolean;
  options?: string[];
  multiple?: boolean;
  allowNo?: boolean;
  hidden?: boolean;
}

export interface TableArg {
  name: string;
  description?: string;
  options?: string[];
}

export interface TableCommand {
  /** Words separated by spaces, as the user types them: "vnc port-forward". */
  id: string;
  summary?: string;
  hidden?: boolean;
  /** An alias entry (e.g. "list" for "ls"): completes like its command but is not offered itself. */
  alias?: boolean;
  /** false when the command accepts any number of arguments. */
  strict?: boolean;
  flags: TableFlag[];
  args: TableArg[];
}

export interface CommandTable {
  /** Content hashes of the inputs the table was built from, by path relative to the root. */
  sources: Record<string, string>;
  /** Topic descriptions from package.json, by topic id with spaces. */
  topics: Record<string, string>;
  commands: TableCommand[];
}

export const TABLE_FILE = 'dist/plugin/command-table.json';
/** The bundle's entry, which holds every command class (src/build/bundle.ts). */
const COMMANDS_FILE = 'dist/plugin/berth.js';

/** The inputs of the table and their hashes: the bundled commands and package.json. */
export function tableSources(root: string): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const file of ['package.json', COMMANDS_FILE]) {
    try {
      sources[file] = createHash('sha1').update(readFileSync(join(root, file))).digest('base64url');
    } catch {
      // Not built yet: the table is just empty.
    }
  }
  return sources;
}

function sameSources(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

interface LoadableLike {
  id: string;
  summary?: string;
  description?: string;
  hidden?: boolean;
  aliases?: string[];
  strict?: boolean;
  flags: Record<string, { name: string; char?: string; summary?: string; description?: string; type: string; options?: readonly string[]; multiple?: boolean; allowNo?: boolean; hidden?: boolean }>;
  args: Record<string, { name: string; description?: string; options?: readonly string[]; hidden?: boolean }>;
}

/** Pure: turns oclif's cached command descriptions into table rows. */
export function toTableCommand(c: LoadableLike): TableCommand {
  const summary = c.summary ?? c.description?.split('\n', 1)[0];
  return {
    id: c.id.replaceAll(':', ' '),
    ...(summary ? { summary } : {}),
    ...(c.hidden ? { hidden: true } : {}),
    ...(c.aliases?.includes(c.id) ? { alias: true } : {}),
    ...(c.strict === false ? { strict: false } : {}),
    flags: Object.values(c.flags ?? {}).map((f) => ({
      name: f.name,
      ...(f.char ? { char: f.char } : {}),
      ...(f.summary || f.description ? { summary: (f.summary ?? f.description)!.split('\n', 1)[0] } : {}),
      takesValue: f.type !== 'boolean',
      ...(f.options ? { options: [...f.options] } : {}),
      ...(f.multiple ? { multiple: true } : {}),
      ...(f.allowNo ? { allowNo: true } : {}),
      ...(f.hidden ? { hidden: true } : {}),
    })),
    args: Object.values(c.args ?? {})
      .filter((a) => !a.hidden)
      .map((a) => ({
        name: a.name,
        ...(a.description ? { description: a.description } : {}),
        ...(a.options ? { options: [...a.options] } : {}),
      })),
  };
}

/** Builds the table by letting oclif load every command class (slow: only when the table is stale). */
export async function generateCommandTable(root: string): Promise<CommandTable> {
  const sources = tableSources(root);
  const { Config } = await import('@oclif/core');
  const config = await Config.load({ root });
  const topics: Record<string, string> = {};
  for (const [name, topic] of Object.entries((config.pjson.oclif.topics ?? {}) as Record<string, { description?: string }>)) {
    if (topic.description) topics[name.replaceAll(':', ' ')] = topic.description.split('\n', 1)[0];
  }
  const commands = config.commands
    .map((c) => toTableCommand(c as unknown as LoadableLike))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { sources, topics, commands };
}

/** Writes the table atomically; a read-only install simply keeps regenerating in memory. */
export function saveCommandTable(root: string, table: CommandTable): boolean {
  const file = join(root, TABLE_FILE);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(table));
    renameSync(`${file}.${process.pid}.tmp`, file);
    return true;
  } catch {
    return false;
  }
}

/** The table, regenerated (and saved) when any command file changed since it was written. */
export async function loadCommandTable(root: string): Promise<CommandTable> {
  try {
    const table = JSON.parse(readFileSync(join(root, TABLE_FILE), 'utf8')) as CommandTable;
    if (sameSources(table.sources, tableSources(root))) return table;
  } catch {
    // Missing or unreadable: regenerate below.
  }
  const table = await generateCommandTable(root);
  saveCommandTable(root, table);
  return table;
}
