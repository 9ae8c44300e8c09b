// The whole CLI surface, frozen in git: every command with its arguments, flags, defaults,
// constraints and help text, and every command's --help as a person at an 80-column terminal
// reads it. A change of interface then shows up in review as a diff of these two files, never by
// accident.
//
// To accept a deliberate change: npm run build && UPDATE_SURFACE=1 mocha dist/test/unit/cli/surface.test.js
// then review and commit test/unit/cli/surface.snap.json and help.snap.txt.
//
// It also fails on help text with hard line breaks: oclif wraps every paragraph to the terminal
// itself, so a newline written inside a sentence shows as a line cut short ("…KVM works (or").
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config, type Command } from '@oclif/core';
import BerthHelp from '../../../src/help/berth-help.js';
import { stripColor } from '../../../src/output/color.js';
import { repo as root } from '../../support/repo.js';

const snapshotDir = join(root, 'test', 'unit', 'cli');
const SURFACE_FILE = join(snapshotDir, 'surface.snap.json');
const HELP_FILE = join(snapshotDir, 'help.snap.txt');
const UPDATE = process.env.UPDATE_SURFACE === '1';
const HOW_TO_UPDATE = 'if the change is deliberate: npm run build && UPDATE_SURFACE=1 mocha dist/test/unit/cli/surface.test.js, then review and commit the .snap files';

const config = await Config.load({ root });
const commands = config.commands.filter((c) => !(c.aliases?.includes(c.id) ?? false)).sort((a, b) => a.id.localeCompare(b.id));

/** The facts of a flag a user or script depends on, in a fixed order; unset ones left out. */
function flagSurface(flag: Command.Flag.Cached): Record<string, unknown> {
  const f = flag as Command.Flag.Cached & Record<string, unknown>;
  const keys = ['char', 'type', 'multiple', 'allowNo', 'required', 'default', 'options', 'helpValue', 'exclusive', 'dependsOn', 'exactlyOne', 'relationships', 'helpGroup', 'hidden', 'deprecated', 'aliases', 'summary', 'description'];
  return Object.fromEntries(keys.filter((k) => f[k] !== undefined && f[k] !== false && !(Array.isArray(f[k]) && (f[k] as unknown[]).length === 0)).map((k) => [k, f[k]]));
}

function argSurface(arg: Command.Arg.Cached): Record<string, unknown> {
  const a = arg as Command.Arg.Cached & Record<string, unknown>;
  return Object.fromEntries(['required', 'default', 'options', 'description'].filter((k) => a[k] !== undefined && a[k] !== false).map((k) => [k, a[k]]));
}

function surface(): unknown {
  return {
    bin: config.bin,
    topics: config.pjson.oclif.topics,
    exitCodes: config.pjson.oclif.exitCodes,
    commands: Object.fromEntries(
      commands.map((c) => [
        c.id.replaceAll(':', ' '),
        {
          summary: c.summary,
          description: c.description,
          ...(c.usage ? { usage: c.usage } : {}),
          ...(c.strict === false ? { strict: false } : {}),
          ...(c.hidden ? { hidden: true } : {}),
          ...(c.aliases?.length ? { aliases: c.aliases } : {}),
          args: Object.fromEntries(Object.entries(c.args ?? {}).map(([name, a]) => [name, argSurface(a)])),
          flags: Object.fromEntries(Object.keys(c.flags).sort().map((name) => [name, flagSurface(c.flags[name])])),
          examples: c.examples ?? [],
        },
      ]),
    ),
  };
}

/** BerthHelp writing into a string at a fixed width, without colour. */
class CapturedHelp extends BerthHelp {
  out: string[] = [];
  override log(...args: string[]): void {
    this.out.push(...args.map(stripColor));
  }
}

/** The root help (no command), or one command's. */
async function renderHelp(command: Command.Loadable | undefined, width: number): Promise<string> {
  const help = new CapturedHelp(config, { ...config.pjson.oclif.helpOptions, maxWidth: width, stripAnsi: true });
  await (command ? help.showCommandHelp(command) : help.showRootHelp());
  // The root help names the platform and Node that run it.
  return `${help.out.join('\n')}\n`.replaceAll(`${process.platform}-${process.arch} node-${process.version}`, '<platform> <node>');
}

async function allHelp(width: number): Promise<string> {
  const pages = [`$ kubectl berth --help\n${await renderHelp(undefined, width)}`];
  for (const c of commands) pages.push(`$ kubectl berth ${c.id.replaceAll(':', ' ')} --help\n${await renderHelp(c, width)}`);
  return pages.join(`\n${'='.repeat(width)}\n`);
}

/**
 * Where a text has a line break that is not a paragraph break (a blank line), it names the line
 * that ends short. An indented block is no exception: oclif trims each line's indent away.
 */
function hardBreaks(text: string | undefined): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  const found: string[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const [line, next] = [lines[i], lines[i + 1]];
    if (line.trim() === '' || next.trim() === '') continue;
    found.push(`"${line.slice(-40)}" ⏎ "${next.slice(0, 40)}"`);
  }
  return found;
}

/**
 * In rendered help, a paragraph line followed by another of the same indent whose first word
 * would have fitted: the break was written into the text, not made by wrapping.
 */
function shortLines(rendered: string, width: number): string[] {
  const lines = rendered.split('\n');
  const indent = (l: string) => l.length - l.trimStart().length;
  const found: string[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const [line, next] = [lines[i], lines[i + 1]];
    if (line.trim() === '' || next.trim() === '' || indent(line) !== indent(next) || indent(line) === 0) continue;
    // Table rows (a flag, an argument, a command and its summary) start a new item on each line.
    if (/\S {2,}\S/.test(line.trim()) || /^\s*-|^\s*\$ /.test(next)) continue;
    // oclif puts a flag's choices on a line of their own.
    if (/^\s*<options: /.test(next)) continue;
    const firstWord = next.trim().split(/\s/, 1)[0];
    if (line.trimEnd().length + 1 + firstWord.length <= width) found.push(`"${line.trim().slice(-40)}" ⏎ "${next.trim().slice(0, 40)}"`);
  }
  return found;
}

describe('the CLI surface', function () {
  this.timeout(30_000);

  it('matches the committed snapshot of every command, argument, flag and default', () => {
    const actual = `${JSON.stringify(surface(), null, 2)}\n`;
    if (UPDATE) writeFileSync(SURFACE_FILE, actual);
    assert.ok(existsSync(SURFACE_FILE), `no snapshot yet; ${HOW_TO_UPDATE}`);
    assert.equal(actual, readFileSync(SURFACE_FILE, 'utf8'), `the CLI surface changed; ${HOW_TO_UPDATE}`);
  });

  it('matches the committed snapshot of every --help at 80 columns', async () => {
    const actual = await allHelp(80);
    if (UPDATE) writeFileSync(HELP_FILE, actual);
    assert.ok(existsSync(HELP_FILE), `no snapshot yet; ${HOW_TO_UPDATE}`);
    assert.equal(actual, readFileSync(HELP_FILE, 'utf8'), `the help text changed; ${HOW_TO_UPDATE}`);
  });

  it('help texts are written as paragraphs, with no line break inside a sentence', () => {
    const problems: string[] = [];
    const topics = (config.pjson.oclif.topics ?? {}) as Record<string, { description?: string }>;
    for (const [name, topic] of Object.entries(topics)) problems.push(...hardBreaks(topic.description).map((p) => `topic ${name}: ${p}`));
    for (const c of commands) {
      const id = c.id.replaceAll(':', ' ');
      const texts: [string, string | undefined][] = [
        ['summary', c.summary],
        ['description', c.description],
        ...Object.entries(c.args ?? {}).map(([n, a]): [string, string | undefined] => [`arg ${n}`, a.description]),
        ...Object.entries(c.flags).flatMap(([n, f]): [string, string | undefined][] => [[`--${n} summary`, f.summary], [`--${n} description`, f.description]]),
        ...[c.examples ?? []].flat().map((e, i): [string, string | undefined] => [`example ${i + 1}`, typeof e === 'string' ? undefined : e.description]),
      ];
      for (const [where, text] of texts) problems.push(...hardBreaks(text).map((p) => `${id} ${where}: ${p}`));
    }
    assert.deepEqual(problems, [], 'write each paragraph as one line (blank lines between paragraphs); oclif wraps it to the terminal');
  });

  for (const width of [80, 120]) {
    it(`no help page at ${width} columns has a line cut short inside a paragraph`, async () => {
      const problems: string[] = [];
      for (const c of commands) problems.push(...shortLines(await renderHelp(c, width), width).map((p) => `${c.id.replaceAll(':', ' ')}: ${p}`));
      assert.deepEqual(problems, []);
    });
  }

  it('the checks find the breaks they are for', () => {
    assert.deepEqual(hardBreaks('a paragraph.\n\nAnother one.'), []);
    assert.equal(hardBreaks('from ~/.ssh/config:\n  Host vm.*').length, 1);
    assert.equal(hardBreaks('proved KVM works (or any agent node\nwith --accel tcg).').length, 1);
    assert.equal(shortLines('DESCRIPTION\n  proved KVM works (or\n  any agent node\n', 80).length, 1);
    assert.deepEqual(shortLines('DESCRIPTION\n  a line that wraps because the next word is too\n  long.\n', 50), []);
  });
});
