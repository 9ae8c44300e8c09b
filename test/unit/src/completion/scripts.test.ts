// The scripts `kubectl berth completion bash|zsh|fish` prints, run in the real shells against the
// real completer (found by absolute path, as when kubectl_complete-berth is not on PATH).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipLoudly } from '../../../support/skip.js';
import { repo as root } from '../../../support/repo.js';

const cli = join(root, 'bin', 'kubectl-berth');
const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const env = { ...process.env, KUBECONFIG: '/nonexistent', PATH: process.env.PATH!.split(':').filter((p) => !p.startsWith(join(root, 'bin'))).join(':') };

describe('completion scripts in real shells', function () {
  // These run the real CLI as processes; the machine may be busy.
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't-citizenship-'));
    for (const shell of ['bash', 'zsh', 'fish']) writeFileSync(join(dir, shell), execFileSync(cli, ['completion', shell], { encoding: 'utf8' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const bash = (line: string, withBashCompletion: boolean) => {
    const script = `${withBashCompletion ? 'source /usr/share/bash-completion/bash_completion;' : ''} source ${dir}/bash
      COMP_LINE=${JSON.stringify(line)}; COMP_POINT=\${#COMP_LINE}; read -ra COMP_WORDS <<<"$COMP_LINE"
      [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
      COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
      __kubectl_berth_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8', env }).split('\n').filter(Boolean);
  };

  for (const withBashCompletion of [true, false]) {
    it(`bash ${withBashCompletion ? 'with' : 'without'} bash-completion: commands, values, --flag=value`, function () {
      if (withBashCompletion && spawnSync('test', ['-f', '/usr/share/bash-completion/bash_completion']).status !== 0) skipLoudly(this, 'bash-completion is not installed (test/setup/install-deps.sh)');
      assert.deepEqual(bash('kubectl-berth vers', withBashCompletion), ['version']);
      assert.deepEqual(bash('kubectl-berth completion ', withBashCompletion), ['bash', 'zsh', 'fish']);
      assert.deepEqual(bash('kubectl-berth version -o ', withBashCompletion), ['json', 'yaml']);
      assert.deepEqual(bash('kubectl-berth version --output=y', withBashCompletion), ['yaml']);
    });
  }

  it('zsh: the completion function in real zsh (compsys replaced by recorders)', function () {
    if (!has('zsh')) skipLoudly(this, 'zsh is not installed (test/setup/install-deps.sh)');
    assert.equal(spawnSync('zsh', ['-n', join(dir, 'zsh')]).status, 0, 'zsh script has a syntax error');
    const zsh = (...words: string[]) =>
      execFileSync('zsh', ['-c', `compdef() { :; }; _describe() { print -rl -- "\${(@P)4}"; }; _files() { print FILES; }
        source ${dir}/zsh; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; __kubectl_berth_complete`], { encoding: 'utf8', env })
        .split('\n')
        .filter(Boolean);
    assert.deepEqual(zsh('kubectl-berth', 'completion', ''), ['bash', 'zsh', 'fish']);
    assert.deepEqual(zsh('kubectl-berth', 'vers'), ['version:Print the plugin version and the node agent version on each node.']);
    assert.deepEqual(zsh('kubectl-berth', 'version', '--kubeconfig', ''), ['FILES']);
  });

  it('fish: complete -C asks our function', function () {
    if (!has('fish')) skipLoudly(this, 'fish is not installed (test/setup/install-deps.sh)');
    const fish = (line: string) => execFileSync('fish', ['-c', `source ${dir}/fish; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8', env }).split('\n').filter(Boolean);
    assert.deepEqual(fish('kubectl-berth completion '), ['bash', 'fish', 'zsh']);
    assert.deepEqual(fish('kubectl-berth vers'), ['version\tPrint the plugin version and the node agent version on each node.']);
    assert.deepEqual(fish('kubectl-berth version -o '), ['json', 'yaml']);
  });
});
