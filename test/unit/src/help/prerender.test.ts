// bin/run.js answers `--help` for the root and every command from files rendered at build time
// (src/help/prerender.ts). They must be exactly what oclif renders (at the 80 columns it uses in a
// pipe), plain and in colour, in each of the spellings a user types.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helpFile } from '../../../../src/help/prerender.js';
import { packageRoot } from '../../../../src/package-root.js';
import { skipLoudly } from '../../../support/skip.js';

const root = packageRoot(import.meta.url);
const oclif = { BERTH_NO_PRERENDERED_HELP: '1', OCLIF_COLUMNS: '80' };

function run(args: string[], env: NodeJS.ProcessEnv): string {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...base } = process.env;
  const result = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), ...args], { encoding: 'utf8', env: { ...base, ...env } });
  assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('help rendered at build time', function () {
  this.timeout(120_000);
  const manifest = join(root, 'oclif.manifest.json');
  const ids = existsSync(manifest) ? Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { commands: Record<string, unknown> }).commands) : [];

  it('exists for every command', function () {
    if (ids.length === 0) skipLoudly(this, 'oclif.manifest.json is not built, so no command is known: run npm run build');
    for (const id of ids) {
      for (const colour of [false, true]) assert.ok(existsSync(join(root, 'dist', 'help', helpFile(id.split(':'), colour))), `${id} (colour ${colour})`);
    }
  });

  for (const [label, env] of [['plain', { NO_COLOR: '1' }], ['in colour', { FORCE_COLOR: '1' }]] as const) {
    it(`is what oclif renders, ${label}, for every command and spelling`, function () {
      if (ids.length === 0) skipLoudly(this, 'oclif.manifest.json is not built, so no command is known: run npm run build');
      for (const id of ids) {
        const words = id.split(':');
        const live = run([...words, '--help'], { ...env, ...oclif });
        assert.equal(run([...words, '--help'], env), live, `${id} --help`);
        // The other spellings read the same file; two commands show they find it.
        if (id !== 'ls' && id !== 'vnc:port-forward') continue;
        assert.equal(run([...words, '-h'], env), live, `${id} -h`);
        assert.equal(run(['help', ...words], env), live, `help ${id}`);
      }
    });
  }

  it('leaves anything else to oclif: a flag before --help, a word that is no command', () => {
    const withFlag = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'ls', '-A', '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(withFlag.status, 0);
    assert.match(withFlag.stdout, /kubectl berth ls/);
    const unknown = spawnSync(process.execPath, [join(root, 'bin', 'run.js'), 'lss', '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /lss/);
  });
});
