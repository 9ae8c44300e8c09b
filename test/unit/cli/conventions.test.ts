// The plugin run as a process, as users and scripts meet it: usage errors exit 2 with a
// suggestion, stdout stays clean, colour only on a terminal and never with NO_COLOR.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repo as root } from '../../support/repo.js';

const cli = join(root, 'bin', 'kubectl-berth');
const ESC = '\u001B[';

/** The test's environment without colour settings of its own, plus `env`. */
function environment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // CI=true (as CI sets it) makes oclif's help treat every terminal as colourless; these tests
  // speak of a person at a terminal, so the colour variables of the runner are left out.
  const { NO_COLOR: _n, FORCE_COLOR: _f, CI: _ci, ...rest } = process.env;
  return { ...rest, ...env };
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(cli, args, { encoding: 'utf8', env: environment(env) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, text: result.stderr.replace(/\s+/g, ' ') };
}

/** Runs the CLI on a pseudo-terminal (util-linux script), returning everything it printed. */
function runOnTty(args: string[], env: NodeJS.ProcessEnv = {}) {
  const command = [cli, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: environment({ TERM: 'xterm', ...env }) });
  return result.stdout;
}

describe('CLI conventions', function () {
  // These run the real CLI as processes; the machine may be busy.
  this.timeout(60_000);
  it('an unknown command exits 2 and suggests the closest one', () => {
    const r = run(['versoin']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.text, /unknown command "versoin" for "kubectl berth"\. Did you mean "kubectl berth version"\?/);
  });

  it('an unknown command with no close match exits 2 and points at --help', () => {
    const r = run(['frobnicate', 'web']);
    assert.equal(r.code, 2);
    assert.match(r.text, /unknown command "frobnicate"/);
    assert.match(r.text, /kubectl berth --help/);
    assert.doesNotMatch(r.text, /Did you mean/);
  });

  it('an unknown flag exits 2 and suggests the closest flag', () => {
    const r = run(['version', '--clinet']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.text, /Nonexistent flag: --clinet/);
    assert.match(r.text, /did you mean --client\?/);
  });

  it('a bad -o value exits 2 and names the valid ones', () => {
    const r = run(['version', '--client', '-o', 'xml']);
    assert.equal(r.code, 2);
    assert.match(r.text, /json, yaml/);
  });

  it('version --client -o json prints only JSON on stdout', () => {
    const r = run(['version', '--client', '-o', 'json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), { clientVersion: JSON.parse(spawnSync('node', ['-p', `JSON.stringify(require('${root}/package.json').version)`], { encoding: 'utf8' }).stdout) });
    assert.equal(r.stderr, '');
  });

  it('an unreachable cluster still prints the client version, notes it on stderr and exits 0', () => {
    const r = run(['version', '--request-timeout', '2s'], { KUBECONFIG: join(root, 'test', 'unit', 'citizenship', 'no-such-kubeconfig') });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Client Version: \d+\.\d+\.\d+\n$/);
    assert.match(r.stderr, /agent versions unknown/);
  });

  it('-h is --help, and `help COMMAND` shows the same help, as kubectl has them', () => {
    const long = run(['version', '--help']);
    assert.equal(long.code, 0);
    assert.match(long.stdout, /^USAGE$/m);
    assert.equal(run(['version', '-h']).stdout, long.stdout);
    assert.equal(run(['help', 'version']).stdout, long.stdout);
    const wrong = run(['help', 'versoin']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.text, /Did you mean "kubectl berth version"\?/);
  });

  it('the root help rendered at build time is what oclif renders, plain and on a terminal', () => {
    const oclif = { BERTH_NO_PRERENDERED_HELP: '1', OCLIF_COLUMNS: '80' };
    assert.equal(run(['--help']).stdout, run(['--help'], oclif).stdout);
    assert.equal(run([]).stdout, run(['--help'], oclif).stdout);
    assert.equal(runOnTty(['--help']), runOnTty(['--help'], oclif));
  });

  it('FORCE_COLOR colours the root help in a pipe, exactly as oclif renders it; FORCE_COLOR=0 does not', () => {
    const oclif = { BERTH_NO_PRERENDERED_HELP: '1', OCLIF_COLUMNS: '80' };
    const forced = run(['--help'], { FORCE_COLOR: '1' }).stdout;
    assert.ok(forced.includes(ESC), 'expected ANSI escapes with FORCE_COLOR=1');
    assert.equal(forced, run(['--help'], { FORCE_COLOR: '1', ...oclif }).stdout);
    assert.ok(!run(['--help'], { FORCE_COLOR: '0' }).stdout.includes(ESC));
    assert.ok(!runOnTty(['--help'], { FORCE_COLOR: '0' }).includes(ESC), 'FORCE_COLOR=0 turns colour off on a terminal too');
  });

  it('help is coloured on a terminal', () => {
    assert.ok(runOnTty(['--help']).includes(ESC), 'expected ANSI escapes on a TTY');
  });

  it('NO_COLOR turns colour off even on a terminal', () => {
    const out = runOnTty(['--help'], { NO_COLOR: '1' });
    assert.match(out, /USAGE/);
    assert.ok(!out.includes(ESC), 'ANSI escapes despite NO_COLOR');
    const error = runOnTty(['versoin'], { NO_COLOR: '1' });
    assert.match(error, /Did you mean/);
    assert.ok(!error.includes(ESC), 'ANSI escapes in an error despite NO_COLOR');
  });

  it('no colour in pipes', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    assert.ok(!r.stdout.includes(ESC));
  });
});
