import assert from 'node:assert/strict';
import { CONSOLE_ESCAPE, consoleAttach, consoleBanner, splitAtEscape } from '../../../../src/access/console-keys.js';
import { cacheHome, clusterFileName, knownHostsFile } from '../../../../src/access/known-hosts.js';
import { splitAtDashDash } from '../../../../src/access/ssh-flags.js';

describe('access: console escape key', () => {
  it('forwards everything up to Ctrl-] and reports the escape', () => {
    assert.equal(CONSOLE_ESCAPE, 0x1d);
    assert.deepEqual(splitAtEscape(Buffer.from('ls\r')), { forward: Buffer.from('ls\r'), escaped: false });
    assert.deepEqual(splitAtEscape(Buffer.from('ab\x1dcd')), { forward: Buffer.from('ab'), escaped: true });
    assert.deepEqual(splitAtEscape(Buffer.from('\x03')), { forward: Buffer.from('\x03'), escaped: false }, 'Ctrl-C goes to the guest');
    assert.match(consoleBanner('web-1', 'ns'), /Press Ctrl-] to exit/);
  });
});

describe('access: how console attaches', () => {
  it('attaches without a tty to a container without one: the serial console alone, no note', () => {
    assert.deepEqual(consoleAttach('web-1', 'ns', { tty: false }), { tty: false });
    assert.deepEqual(consoleAttach('web-1', 'ns', {}), { tty: false });
  });

  it('attaches as a terminal to a VM made with a tty, and says why log lines show up and how to fix it', () => {
    const { tty, note } = consoleAttach('web-1', 'team-a', { tty: true });
    assert.equal(tty, true);
    assert.match(note!, /launcher's log lines appear in this console/);
    assert.match(note!, /restarts the VM: kubectl patch statefulset web-1 -n team-a --type json -p '\[\{"op":"replace","path":"\/spec\/template\/spec\/containers\/0\/tty","value":false\}\]'$/);
  });
});

describe('access: known_hosts per cluster', () => {
  it('lives under $XDG_CACHE_HOME or ~/.cache, one file per cluster name made file-safe', () => {
    assert.equal(cacheHome({ XDG_CACHE_HOME: '/x' }, '/home/u'), '/x');
    assert.equal(cacheHome({}, '/home/u'), '/home/u/.cache');
    assert.equal(knownHostsFile('/c', 'prod'), '/c/kubectl-berth/known_hosts/prod');
    assert.equal(clusterFileName('arn:aws:eks:eu/x'), 'arn_aws_eks_eu_x');
    assert.equal(clusterFileName('..'), '_');
    assert.equal(clusterFileName(undefined), 'default');
  });
});

describe('access: argv split at --', () => {
  it('keeps the remote command away from flag parsing, words in order', () => {
    assert.deepEqual(splitAtDashDash(['vm', '-i', 'k', '--', 'cp', 'a', 'a', '--', '-x']), { own: ['vm', '-i', 'k'], rest: ['cp', 'a', 'a', '--', '-x'] });
    assert.deepEqual(splitAtDashDash(['vm']), { own: ['vm'], rest: [] });
  });
});
