import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { proxyCommandString, shellQuote } from '../../../../src/access/shell-quote.js';

describe('access: shell quoting for ProxyCommand', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    assert.equal(shellQuote('/usr/bin/kubectl-berth'), '/usr/bin/kubectl-berth');
    assert.equal(shellQuote('--kubeconfig'), '--kubeconfig');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote('/home/a b/k'), "'/home/a b/k'");
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote('$HOME'), "'$HOME'");
  });

  it("escapes ssh's %-tokens", () => {
    assert.equal(proxyCommandString(['/x', '50%', 'a b']), "/x '50%%' 'a b'");
  });

  it('survives a real shell unchanged (after ssh turns %% back into %)', () => {
    const words = ['a b', "it's", '$HOME', '`id`', 'x;y', '*', '\\n', 'ü', '"q"'];
    const command = proxyCommandString(words).replace(/%%/g, '%');
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${command}`]);
    assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), words);
  });
});
