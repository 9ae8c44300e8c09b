import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetHostKey, withoutHost } from '../../../../src/access/known-hosts.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOwn7eGq1mmbtaRMHEPt6t1G2cIW4rtAUPnKZ4jtJvNU';

describe('known_hosts: forgetting a VM', () => {
  it('removes plain entries of the alias, alone or in a comma list, and keeps everything else', () => {
    const text = [`# ours`, `vm/web.a ${KEY}`, `vm/web.b ${KEY}`, `vm/db.a,vm/web.a ${KEY}`, `@cert-authority vm/web.a ${KEY}`, ''].join('\n');
    const { text: out, removed } = withoutHost(text, 'vm/web.a');
    assert.equal(removed, 3);
    assert.equal(out, [`# ours`, `vm/web.b ${KEY}`, ''].join('\n'));
  });

  it("removes the entries ssh-keygen -H hashed (Debian's HashKnownHosts), and no other", function () {
    const dir = mkdtempSync(join(tmpdir(), 't-known-hosts-'));
    try {
      const file = join(dir, 'known_hosts');
      writeFileSync(file, `vm/web.a ${KEY}\nvm/web.b ${KEY}\n`);
      execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
      const hashed = readFileSync(file, 'utf8');
      assert.equal(hashed.split('\n').filter((l) => l.startsWith('|1|')).length, 2, 'ssh-keygen hashed both');
      assert.equal(forgetHostKey(file, 'vm/web.a'), 1);
      assert.equal(forgetHostKey(file, 'vm/web.a'), 0, 'already gone');
      const left = execFileSync('ssh-keygen', ['-F', 'vm/web.b', '-f', file], { encoding: 'utf8' });
      assert.match(left, /Host vm\/web\.b found/);
      assert.throws(() => execFileSync('ssh-keygen', ['-F', 'vm/web.a', '-f', file], { stdio: 'ignore' }), 'vm/web.a is gone');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing file has nothing to forget', () => {
    assert.equal(forgetHostKey(join(tmpdir(), 'no-such-dir-berth', 'known_hosts'), 'vm/web.a'), 0);
  });
});
