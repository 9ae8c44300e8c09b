// Build step: renders `kubectl berth --help` once, plain and in colour, so bin/run.js can answer
// the root help without loading oclif. kubectl users type `kubectl berth` and `--help` to find
// their way; that answer should cost Node's start, not oclif's (see BENCHMARKS.md, CLI start).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PRERENDERED_HELP_DIR = join(root, 'dist', 'help');
/** Replaced at run time: the help names the platform and Node that run it, not those that built it. */
export const RUNTIME_PLACEHOLDER = '{{runtime}}';

function render(colour: boolean): string {
  const { NO_COLOR: _n, FORCE_COLOR: _f, CI: _c, ...env } = process.env;
  const result = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), '--help'], {
    encoding: 'utf8',
    env: { ...env, OCLIF_COLUMNS: '80', BERTH_NO_PRERENDERED_HELP: '1', ...(colour ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }) },
  });
  if (result.status !== 0) throw new Error(`rendering --help failed: ${result.stderr}`);
  return result.stdout.replaceAll(`${process.platform}-${process.arch} node-${process.version}`, RUNTIME_PLACEHOLDER);
}

const plain = render(false);
if (!plain.includes(RUNTIME_PLACEHOLDER)) throw new Error('the root help no longer shows the runtime line this step expects');
mkdirSync(PRERENDERED_HELP_DIR, { recursive: true });
writeFileSync(join(PRERENDERED_HELP_DIR, 'root.txt'), plain);
writeFileSync(join(PRERENDERED_HELP_DIR, 'root.ansi.txt'), render(true));
