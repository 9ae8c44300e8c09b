import assert from 'node:assert/strict';
import { unknownCommand } from '../../../../src/help/command-not-found.js';
import { closest, editDistance } from '../../../../src/help/suggest.js';
import { flagSuggestions, subcommandSuggestion } from '../../../../src/help/usage-errors.js';

describe('Did you mean', () => {
  it('measures edits, a swap of two letters counting as one', () => {
    assert.equal(editDistance('ls', 'ls'), 0);
    assert.equal(editDistance('lss', 'ls'), 1);
    assert.equal(editDistance('versoin', 'version'), 1);
    assert.equal(editDistance('create', 'delete'), 4);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests close words and words that start with the typed text, best first', () => {
    assert.deepEqual(closest('stpo', ['stop', 'start', 'ssh']), ['stop']);
    assert.deepEqual(closest('ima', ['images', 'install']), ['images']);
    assert.deepEqual(closest('xyz', ['stop', 'start']), []);
    assert.deepEqual(closest('sh', ['ssh', 'scp', 'ls']), ['ssh']);
  });

  it('names the closest command at the level where the typo is', () => {
    const ids = ['create', 'ls', 'vnc', 'vnc:port-forward', 'images:pull', 'images:ls'];
    assert.deepEqual(unknownCommand(['lss', 'web'], ids, 'kubectl berth'), {
      message: 'unknown command "lss" for "kubectl berth". Did you mean "kubectl berth ls"?',
      hint: "run 'kubectl berth --help' to see the commands",
    });
    assert.deepEqual(unknownCommand(['images', 'pul'], ids, 'kubectl berth'), {
      message: 'unknown command "pul" for "kubectl berth images". Did you mean "kubectl berth images pull"?',
      hint: "run 'kubectl berth images --help' to see the commands",
    });
    assert.equal(unknownCommand(['frobnicate'], ids, 'kubectl berth').message, 'unknown command "frobnicate" for "kubectl berth"');
    assert.equal(unknownCommand(['--nope'], ids, 'kubectl berth').message, 'unknown flag "--nope" for "kubectl berth"');
  });

  it('suggests flags, including --no- forms and a flag typed with one dash', () => {
    const flags = { namespace: { char: 'n' }, output: {}, wait: { allowNo: true } };
    assert.deepEqual(flagSuggestions(['--namspace'], flags), ['--namspace: did you mean --namespace?']);
    assert.deepEqual(flagSuggestions(['--no-wiat=1'], flags), ['--no-wiat: did you mean --no-wait?']);
    assert.deepEqual(flagSuggestions(['-output'], flags), ['-output: did you mean --output?']);
    assert.deepEqual(flagSuggestions(['--zzzzzz'], flags), []);
    assert.deepEqual(flagSuggestions(['--idnetity'], { 'identity-file': {}, port: {} }), ['--idnetity: did you mean --identity-file?']);
  });

  it('suggests a subcommand when a command that has them got an unexpected argument', () => {
    const ids = ['vnc', 'vnc:port-forward', 'images', 'images:add'];
    assert.equal(subcommandSuggestion('vnc', ['prot-forward', 'web'], ids, 'kubectl berth'), "prot-forward: did you mean 'kubectl berth vnc port-forward'?");
    assert.equal(subcommandSuggestion('vnc', ['web', 'extra'], ids, 'kubectl berth'), undefined);
    assert.equal(subcommandSuggestion('images', ['--force', 'ad'], ids, 'kubectl berth'), "ad: did you mean 'kubectl berth images add'?");
  });
});
