// Generic checks over every command found in dist/src/commands, so a new command is covered the
// moment it is compiled: it loads, its help teaches, every example parses, it has a help group,
// and completion knows its flags.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Config, Parser, type Command } from '@oclif/core';
import { parseVmFlags } from '../../../src/core/vm-flags.js';
import { groupOf, OTHER_GROUP } from '../../../src/help/groups.js';
import { exampleInvocations, renderExample, shellWords } from './example-argv.js';
import { repo as root } from '../../support/repo.js';

const cli = join(root, 'bin', 'kubectl-berth');
const completer = join(root, 'bin', 'kubectl_complete-berth');
const commandFiles = readdirSync(join(root, 'dist', 'src', 'commands'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.replace(/\.js$/, '').replace(/\/index$/, '').split('/').join(' '))
  .sort();
const config = await Config.load({ root });
const isAlias = (c: Command.Loadable) => c.aliases?.includes(c.id) ?? false;
const commands = config.commands.filter((c) => !c.hidden && !isAlias(c)).sort((a, b) => a.id.localeCompare(b.id));
const words = (c: Command.Loadable) => c.id.split(':');

function completions(args: string[]): string[] {
  const out = execFileSync(completer, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  return out.trimEnd().split('\n').slice(0, -1).map((l) => l.split('\t')[0]);
}

describe('every command (found in dist/src/commands)', function () {
  // These run the real CLI as processes; the machine may be busy.
  this.timeout(60_000);
  it('every compiled command file loads as a command', () => {
    const loaded = config.commands.filter((c) => !isAlias(c)).map((c) => c.id.replaceAll(':', ' '));
    assert.deepEqual(commandFiles.filter((f) => !loaded.includes(f)), [], 'these command files did not load (see the oclif warning above)');
  });

  it('the oclif manifest the build wrote says what the compiled command files say', async () => {
    // oclif answers from oclif.manifest.json without loading the files: a stale one shows old help.
    for (const c of config.commands.filter((c) => !isAlias(c))) {
      const C = (await c.load()) as Command.Class;
      assert.deepEqual(c.examples ?? [], C.examples ?? [], `${c.id}: examples`);
      assert.equal(c.summary, C.summary, `${c.id}: summary`);
      assert.deepEqual(Object.keys(c.flags).sort(), Object.keys({ ...C.baseFlags, ...C.flags }).sort(), `${c.id}: flags`);
    }
  });

  it('kubectl berth --help lists every top-level command under a named group', () => {
    const top = [...new Set(commands.map((c) => words(c)[0]))];
    assert.deepEqual(top.filter((w) => groupOf(w) === OTHER_GROUP), [], 'add these to src/help/groups.ts');
    const help = execFileSync(cli, ['--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    for (const word of top) {
      assert.match(help, new RegExp(`^  ${word}\\s`, 'm'), `${word} missing from root help`);
      assert.match(help, new RegExp(`^${groupOf(word).toUpperCase()}$`, 'm'));
    }
  });

  it('completion offers every top-level command', () => {
    assert.deepEqual(completions(['']).sort(), [...new Set(commands.map((c) => words(c)[0]))].sort());
  });

  for (const cached of commands) {
    const id = cached.id.replaceAll(':', ' ');
    describe(`kubectl berth ${id}`, () => {
      it('has a one-line summary and a description', () => {
        assert.ok(cached.summary && cached.summary.trim().length > 0, 'static summary is missing');
        assert.ok(!cached.summary.includes('\n'), 'summary must be one line');
        assert.ok(cached.description && cached.description.trim().length > 0, 'static description is missing');
      });

      it('--help renders with usage and examples', () => {
        const result = spawnSync(cli, [...words(cached), '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^USAGE$/m);
        assert.match(result.stdout, /^EXAMPLES$/m, 'no examples in --help');
        assert.equal(result.stderr, '');
      });

      it('every example parses against its flags and arguments', async () => {
        const examples = [cached.examples ?? []].flat();
        assert.ok(examples.length > 0, 'static examples are missing');
        let invokesItself = false;
        for (const example of examples) {
          const text = typeof example === 'string' ? example : example.command;
          assert.ok(!text.includes(config.bin), `write the binary as <%= config.bin %>, not literally: ${text}`);
          const invocations = exampleInvocations(renderExample(text, { bin: config.bin, id }), config.bin);
          assert.ok(invocations.length > 0, `example runs no ${config.bin} command: ${text}`);
          for (const argv of invocations) {
            const target = commands
              .filter((c) => words(c).every((w, i) => argv[i] === w))
              .sort((a, b) => words(b).length - words(a).length)[0];
            assert.ok(target, `example names no command: ${argv.join(' ')}`);
            if (target.id === cached.id) invokesItself = true;
            const C = (await target.load()) as Command.Class;
            let own = argv.slice(words(target).length);
            // A command whose usage documents "-- COMMAND…" passes what follows -- through unparsed.
            if (own.includes('--') && /(^|[\s[])--\s/.test([C.usage ?? ''].flat().join(' '))) own = own.slice(0, own.indexOf('--'));
            const parse = Parser.parse(own, {
              flags: { ...C.baseFlags, ...C.flags },
              args: C.args,
              strict: C.strict,
            });
            await assert.doesNotReject(parse, `example does not parse: ${argv.join(' ')}`);
            // create checks its flags' values before anything else: an example must pass that too.
            if (target.id === 'create') {
              const parsed = await parse;
              assert.doesNotThrow(() => parseVmFlags(String(parsed.args.name), parsed.flags), `create rejects its own example: ${argv.join(' ')}`);
            }
          }
        }
        assert.ok(invokesItself, 'no example runs the command itself');
      });

      const output = cached.flags.output;
      if (output) {
        it('-o follows the shared convention (src/flags/output.ts), and a bad value exits 2', () => {
          assert.equal(output.char, 'o');
          assert.equal(output.type, 'option');
          const options = (output as { options?: string[] }).options ?? [];
          assert.ok(options.length > 0, '-o must list its formats (options)');
          assert.deepEqual(options.filter((o) => !['json', 'yaml', 'name', 'wide'].includes(o)), [], 'formats beyond json|yaml|name|wide');
          if (options.includes('wide')) assert.ok(cached.flags['no-headers'], 'a table command takes --no-headers');
          const result = spawnSync(cli, [...words(cached), '-o', 'bogus'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
          assert.equal(result.status, 2, result.stderr);
          assert.equal(result.stdout, '');
          assert.match(result.stderr, /to be one of/);
        });
      }

      it('completion lists its flags', () => {
        const offered = completions([...words(cached), '--']);
        const expected = Object.values(cached.flags).filter((f) => !f.hidden).map((f) => `--${f.name}`);
        for (const flag of expected) assert.ok(offered.includes(flag), `${flag} not offered`);
      });
    });
  }
});

describe('example parsing helper', () => {
  it('reads shell words up to a pipe or redirection', () => {
    assert.deepEqual(shellWords(` ls -o json | jq '.items[]'`), ['ls', '-o', 'json']);
    assert.deepEqual(shellWords(` create web --user-data "a b" --x='c d' > out`), ['create', 'web', '--user-data', 'a b', '--x=c d']);
    assert.deepEqual(exampleInvocations('source <(kubectl berth completion bash)', 'kubectl berth'), [['completion', 'bash']]);
    assert.deepEqual(exampleInvocations('Create a VM:\nkubectl berth create web', 'kubectl berth'), [['create', 'web']]);
  });
});
