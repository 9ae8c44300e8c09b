import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildMetaData, mergeSshKeys, parsePublicKeys } from '../../../../src/core/cloud-config.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne one@host';
const K2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQTwo two@host';

describe('mergeSshKeys', () => {
  it('generates a #cloud-config with the keys when there is no user-data', () => {
    const r = mergeSshKeys(undefined, [K1]);
    assert.ok(r.ok);
    assert.equal(r.userData, `#cloud-config\nssh_authorized_keys:\n  - ${K1}\n`);
    assert.equal(r.keysInUserData, true);
  });

  it('keeps the header, comments and the user\'s keys, and appends new keys once', () => {
    const user = `#cloud-config\n# our base config\npackages: [nginx]\nssh_authorized_keys:\n  - ${K2}\n`;
    const r = mergeSshKeys(user, [K1, K2]);
    assert.ok(r.ok);
    assert.ok(r.userData.startsWith('#cloud-config\n'));
    assert.match(r.userData, /# our base config/);
    const doc = parse(r.userData);
    assert.deepEqual(doc.ssh_authorized_keys, [K2, K1]);
    assert.deepEqual(doc.packages, ['nginx']);
  });

  it('adds ssh_authorized_keys to a config that has none', () => {
    const r = mergeSshKeys('#cloud-config\nhostname: db\n', [K1]);
    assert.ok(r.ok);
    assert.deepEqual(parse(r.userData), { hostname: 'db', ssh_authorized_keys: [K1] });
  });

  it('handles a header-only file', () => {
    const r = mergeSshKeys('#cloud-config\n', [K1]);
    assert.ok(r.ok);
    assert.deepEqual(parse(r.userData), { ssh_authorized_keys: [K1] });
    assert.ok(r.userData.startsWith('#cloud-config\n'));
  });

  it('leaves scripts and other formats alone (keys go to meta-data instead)', () => {
    const script = '#!/bin/sh\necho hi\n';
    assert.deepEqual(mergeSshKeys(script, [K1]), { ok: true, userData: script, keysInUserData: false });
  });

  it('rejects broken YAML with the line, a list, and a non-list ssh_authorized_keys', () => {
    const bad = mergeSshKeys('#cloud-config\npackages: [a\n', [K1], 'cc.yaml');
    assert.equal(bad.ok, false);
    assert.match((bad as { problem: string }).problem, /^cc\.yaml is not valid YAML/);
    assert.deepEqual(mergeSshKeys('#cloud-config\n- a\n', [K1], 'cc.yaml'), { ok: false, problem: 'cc.yaml must be a YAML mapping of cloud-config keys, not a list' });
    assert.deepEqual(mergeSshKeys('#cloud-config\nssh_authorized_keys: one\n', [K1], 'cc.yaml'), { ok: false, problem: 'cc.yaml: ssh_authorized_keys must be a list' });
  });
});

describe('meta-data and keys', () => {
  it('meta-data has local-hostname and, when asked, public-keys; no instance-id, which the launcher derives from the seed', () => {
    assert.deepEqual(parse(buildMetaData('web')), { 'local-hostname': 'web' });
    assert.deepEqual(parse(buildMetaData('web', [K1]))['public-keys'], [K1]);
  });

  it('parses .pub and authorized_keys texts, and refuses private keys and junk', () => {
    assert.deepEqual(parsePublicKeys(`${K1}\n\n# comment\n${K2}\n`, 'f'), { ok: true, keys: [K1, K2] });
    assert.deepEqual(parsePublicKeys('-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n', '~/.ssh/id_ed25519'), {
      ok: false,
      problem: '~/.ssh/id_ed25519 is a private key; pass the public key (the .pub file) instead',
    });
    assert.deepEqual(parsePublicKeys('', 'f'), { ok: false, problem: 'f holds no SSH public key' });
    assert.equal(parsePublicKeys('hello world', 'f').ok, false);
  });
});
