// `import` as users run it (the real bin/kubectl-berth), without a cluster: the chart's published
// examples print as the objects create would make, and values that must be refused are refused
// with exit 2 before any connection (a kubeconfig that points nowhere proves it).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Annotations, LauncherEnv } from '../../../shared/contract.js';
import { berth } from '../../support/plugin.js';
import { repo } from '../../support/repo.js';

const dir = mkdtempSync(join(tmpdir(), 't-import-unit-'));
const nowhere = join(dir, 'nowhere.kubeconfig');
writeFileSync(nowhere, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:2'}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]\ncurrent-context: x\n`);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUnitTestKeyOnly unit@test';
const fixtures = join(repo, 'test', 'fixtures', 'berth');
const berthNowhere = (args: string[]) => berth(args, { env: { KUBECONFIG: nowhere, HOME: dir } });

describe('import without a cluster', function () {
  this.timeout(30_000);

  it("--dry-run -o yaml prints each example's Secret and StatefulSet, and names what berth leaves out", async () => {
    const r = await berthNowhere(['import', join(fixtures, 'cirros-test.yaml'), join(fixtures, 'demo-ub14-apache.yaml'), '--ssh-key', KEY, '--accel', 'tcg', '--dry-run', '-o', 'yaml']);
    assert.equal(r.exitCode, 0, r.message);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), ['Secret/cirros-test-cloudinit', 'StatefulSet/cirros-test', 'Secret/demo-ub14-apache-cloudinit', 'StatefulSet/demo-ub14-apache']);
    const demo = docs[3];
    assert.equal(demo.metadata.annotations[Annotations.vmImage], 'http://stupidest.org/vm/ubuntu-14.04-amd64.img');
    assert.equal(demo.spec.volumeClaimTemplates[0].spec.storageClassName, 'managed');
    const env = Object.fromEntries(demo.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    assert.equal(env[LauncherEnv.memoryMiB], '1024');
    const userData: string = docs[2].stringData['user-data'];
    assert.match(userData, /apache2/);
    assert.match(userData, /UnitTestKeyOnly/);
    assert.match(r.stderr, /Note: cirros-test: cloudconfig\.bogus_not_used is not a Berth key; ignored\./);
    assert.match(r.stderr, /Note: demo-ub14-apache: no --image-sha256 given/);
  });

  it('-o name names the VMs, and nothing else', async () => {
    const r = await berthNowhere(['import', join(fixtures, 'cirros-test.yaml'), join(fixtures, 'demo-ub14-apache.yaml'), '--ssh-key', KEY, '--dry-run', '-o', 'name']);
    assert.equal(r.exitCode, 0, r.message);
    assert.equal(r.stdout, 'vm/cirros-test\nvm/demo-ub14-apache\n');
  });

  const refused: [string, string[], RegExp][] = [
    ['a file that is not YAML', [join(fixtures, 'bad', 'not-yaml.yaml')], /not-yaml\.yaml is not valid YAML/],
    ['a file that does not exist', [join(dir, 'absent.yaml')], /values file '.*absent\.yaml' does not exist/],
    ['one bad entry among good ones', [join(fixtures, 'bad', 'one-bad-among-good.yaml')], /a problem; nothing was imported:\s+vmlist\.bad\.vmconfig\.cpu\.vcpu: must be at least 1, not 0/],
    ['a good file and a bad one', [join(fixtures, 'cirros-test.yaml'), join(fixtures, 'bad', 'too-little-memory.yaml')], /vmlist\.tiny\.vmconfig\.cpu\.ram_mb: '32Mi' is below the 64Mi minimum/],
    ['no file', [], /Missing 1 required arg/],
  ];
  for (const [title, files, message] of refused) {
    it(`${title}: exit 2 before connecting, nothing printed`, async () => {
      const r = await berthNowhere(['import', ...files, '--ssh-key', KEY]);
      assert.equal(r.exitCode, 2, r.message);
      assert.match(r.message, message);
      assert.equal(r.stdout, '');
    });
  }
});
