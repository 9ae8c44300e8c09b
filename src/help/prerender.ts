// Build step: renders `kubectl berth --help` and every command's `--help` once, plain and in
// colour, so bin/run.js can answer them without loading the bundle. kubectl users type `kubectl
// berth`, `--help` and `COMMAND --help` to find their way; that answer should cost Node's start, not
// oclif's (see BENCHMARKS.md, CLI start). The help is rendered at 80 columns, as oclif renders it
// into a pipe. Each colour mode renders in one child process that loads the bundle once.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../package-root.js';

const root = packageRoot(import.meta.url);
export const PRERENDERED_HELP_DIR = join(root, 'dist', 'help');
/** Replaced at run time: the help names the platform and Node that run it, not those that built it. */
export const RUNTIME_PLACEHOLDER = '{{runtime}}';

/** The file bin/run.js reads for the help of `words` (none: the root help). */
export function helpFile(words: readonly string[], colour: boolean): string {
  return `${words.length === 0 ? 'root' : `commands/${words.join(':')}`}${colour ? '.ansi.txt' : '.txt'}`;
}

/** Child mode: renders the root help and each command's, and prints them as JSON ({ id: text }). */
async function renderAll(): Promise<void> {
  const ids = Object.keys((JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> }).commands);
  const plugin = (await import(pathToFileURL(join(root, 'dist', 'plugin', 'berth.js')).href)) as { execute(o: object): Promise<unknown> };
  const out: Record<string, string> = {};
  const write = process.stdout.write.bind(process.stdout);
  for (const id of ['', ...ids]) {
    let text = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stdout.write;
    try {
      await plugin.execute({ dir: pathToFileURL(join(root, 'bin', 'run.js')).href, args: [...(id ? id.split(':') : []), '--help'] });
    } finally {
      process.stdout.write = write;
    }
    if (!/USAGE/.test(text)) throw new Error(`rendering ${id || 'the root'} --help printed no USAGE:\n${text}`);
    out[id] = text.replaceAll(`${process.platform}-${process.arch} node-${process.version}`, RUNTIME_PLACEHOLDER);
  }
  write(JSON.stringify(out));
}

function render(colour: boolean): Record<string, string> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, CI: _c, ...env } = process.env;
  const result = spawnSync(process.execPath, [import.meta.filename, '--render'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...env, OCLIF_COLUMNS: '80', ...(colour ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }) },
  });
  if (result.status !== 0) throw new Error(`rendering --help failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string>;
}

if (process.argv.includes('--render')) {
  await renderAll();
} else if (process.argv[1] === import.meta.filename) {
  const plain = render(false);
  const ansi = render(true);
  if (!plain['']?.includes(RUNTIME_PLACEHOLDER)) throw new Error('the root help no longer shows the runtime line this step expects');
  rmSync(PRERENDERED_HELP_DIR, { recursive: true, force: true });
  mkdirSync(join(PRERENDERED_HELP_DIR, 'commands'), { recursive: true });
  for (const [rendered, colour] of [[plain, false], [ansi, true]] as const) {
    for (const [id, text] of Object.entries(rendered)) writeFileSync(join(PRERENDERED_HELP_DIR, helpFile(id ? id.split(':') : [], colour)), text);
  }
}
