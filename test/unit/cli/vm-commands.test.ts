// The lifecycle commands run as the real bin/kubectl-berth, without a cluster: flags are checked
// before any connection (a kubeconfig that points nowhere proves it), exit codes are documented
// ones, and a dry run with an image URL works without a cluster, saying what it had to guess.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { berth } from '../../support/plugin.js';

const dir = mkdtempSync(join(tmpdir(), 't-plugin-unit-'));
const nowhere = join(dir, 'nowhere.kubeconfig');
writeFileSync(nowhere, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:2'}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]\ncurrent-context: x\n`);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUnitTestKeyOnly unit@test';

/** The plugin (test/support/plugin.ts) against a kubeconfig that points nowhere, with a HOME of its own. */
const berthNowhere = (args: string[]) => berth(args, { env: { KUBECONFIG: nowhere, HOME: dir } });

describe('VM commands without a cluster', function () {
  this.timeout(20_000);

  const usage: [string, string[], RegExp][] = [
    ['create: bad name', ['create', 'Web', '--image', 'x'], /VM name 'Web' contains upper-case letters/],
    ['create: bad flag value', ['create', 'web', '--image', 'x', '--memory', '1TB'], /--memory: '1TB' is not a Kubernetes quantity; did you mean 1Ti\?/],
    ['create: conflicting flags', ['create', 'web', '--image', 'x', '--ephemeral', '--storage-class', 'fast'], /--ephemeral and --storage-class cannot be used together/],
    ['create: no name, no terminal', ['create', '--image', 'x'], /missing the VM name/],
    ['create: dry run and wait', ['create', 'web', '--image', 'x', '--dry-run', '--wait'], /--dry-run and --wait cannot be used together/],
    ['create: --timeout needs --wait', ['create', 'web', '--image', 'x', '--timeout', '1m'], /--wait/],
    ['create: unknown output', ['create', 'web', '--image', 'x', '-o', 'wide'], /Expected --output=wide to be one of: yaml, json, name/],
    ['ls: unknown output', ['ls', '-o', 'table'], /Expected --output=table to be one of/],
    ['stop: no name', ['stop'], /Missing 1 required arg/],
    ['start: bad name', ['start', 'web_1'], /VM name 'web_1' contains '_'/],
    ['purge: names and --all', ['purge', 'web', '--all'], /give VM names or --all, not both/],
    ['purge: nothing named', ['purge'], /missing VM names/],
    ['purge: a bad name among good ones', ['purge', 'web', 'DB'], /VM name 'DB' contains upper-case letters/],
  ];
  for (const [title, args, message] of usage) {
    it(`${title}: exit 2 before connecting`, async () => {
      const r = await berthNowhere(args);
      assert.equal(r.exitCode, 2, r.message);
      assert.match(r.message, message);
      assert.equal(r.stdout, '');
    });
  }

  it('good flags get as far as the cluster: exit 5, what happened and what to do', async () => {
    const r = await berthNowhere(['create', 'web', '--image', 'https://x.example/a.qcow2', '--ssh-key', KEY]);
    assert.equal(r.exitCode, 5);
    assert.match(r.message, /cannot reach the cluster at https:\/\/127\.0\.0\.1:2 .*Try this: check that the cluster is running/);
    for (const args of [['ls'], ['stop', 'web'], ['start', 'web'], ['purge', 'web', '--yes']]) {
      assert.equal((await berthNowhere(args)).exitCode, 5, args.join(' '));
    }
  });

  it('--dry-run with an image URL prints the objects without a cluster, and says the launcher image is a guess', async () => {
    const r = await berthNowhere(['create', 'web', '--image', 'https://x.example/a.qcow2', '--ssh-key', KEY, '--dry-run', '-o', 'yaml']);
    assert.equal(r.exitCode, 0, r.message);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}/${d.metadata.namespace}`), ['Secret/web-cloudinit/team-a', 'StatefulSet/web/team-a']);
    assert.match(r.message, /no --image-sha256 given/);
    assert.match(r.message, /the cluster's berth agent could not be read .*the objects name the default launcher image/);
  });

  it('--dry-run -o name names the VM, as create -o name does, and nothing else', async () => {
    const r = await berthNowhere(['create', 'web', '--image', 'https://x.example/a.qcow2', '--ssh-key', KEY, '--dry-run', '-o', 'name']);
    assert.equal(r.exitCode, 0, r.message);
    assert.equal(r.stdout, 'vm/web\n');
  });
});
