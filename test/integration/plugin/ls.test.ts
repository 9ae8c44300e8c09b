// ls against the real cluster: empty, one VM, fifty VMs (made through the API for speed), -A.
import assert from 'node:assert/strict';
import { parseVmFlags } from '../../../src/core/vm-flags.js';
import { resolveImage } from '../../../src/core/vm-image.js';
import { assembleVmSpec } from '../../../src/core/vm-spec.js';
import { buildVmStatefulSet } from '../../../src/core/vm-statefulset.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, kube, requireCluster } from './fixture.js';

/** A stopped VM's StatefulSet, built by the same code as create, with an extra label. */
function stoppedVm(name: string, namespace: string, team: string) {
  const request = parseVmFlags(name, { image: DEAD_IMAGE, accel: 'tcg', memory: '128Mi', ephemeral: true });
  const spec = assembleVmSpec(request, { namespace, image: resolveImage(request.image, undefined), sshKeys: [], launcherImage: 'unused:0' });
  const sts = buildVmStatefulSet(spec);
  sts.spec!.replicas = 0;
  sts.metadata!.labels!['t-plugin/team'] = team;
  return sts;
}

describe('ls (integration, local cluster)', function () {
  this.timeout(120_000);
  let empty: string;
  let one: string;
  let many: string;

  before(async function () {
    this.timeout(120_000);
    await requireCluster();
    [empty, one, many] = await Promise.all([createNamespace('ls0'), createNamespace('ls1'), createNamespace('ls50')]);
    const created = await berth(['create', 'solo', '-n', one, '--image', DEAD_IMAGE, '--accel', 'tcg', '--cpus', '2', '--memory', '128Mi', '--ephemeral', '--node-selector', `t-plugin.berth.dev/never=${one}`, '--allow-unschedulable']);
    assert.equal(created.exitCode, 0, created.stderr);
    const { apps } = await kube();
    const names = Array.from({ length: 50 }, (_, i) => `vm-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < names.length; i += 10) {
      await Promise.all(names.slice(i, i + 10).map((n, j) => apps.createNamespacedStatefulSet({ namespace: many, body: stoppedVm(n, many, (i + j) % 2 === 0 ? 'even' : 'odd') })));
    }
  });

  after(async () => {
    await Promise.all([empty, one, many].filter(Boolean).map(deleteNamespace));
  });

  it('0 VMs: says so on stderr, prints nothing on stdout', async () => {
    const run = await berth(['ls', '-n', empty]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, `No VMs found in namespace '${empty}'.\n`);
    const json = await berth(['ls', '-n', empty, '-o', 'json']);
    assert.deepEqual(JSON.parse(json.stdout), { apiVersion: 'v1', kind: 'List', items: [] });
  });

  it('1 VM: one row with its status, image and size', async () => {
    const run = await berth(['ls', '-n', one]);
    assert.equal(run.exitCode, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^NAME\s+STATUS\s+NODE\s+IP\s+IMAGE\s+CPUS\s+MEMORY\s+AGE$/);
    assert.match(lines[1], new RegExp(`^solo\\s+Pending\\s+<none>\\s+<none>\\s+${DEAD_IMAGE.replace(/[.]/g, '\\.')}\\s+2\\s+128Mi\\s+\\d+s$`));
    const wide = await berth(['ls', '-n', one, '-o', 'wide']);
    // ACCEL, DISK, DATA-DISKS (none), FIRMWARE, REASON
    assert.match(wide.stdout, /\s+tcg\s+10Gi \(ephemeral\)\s+<none>\s+bios\s+(Unschedulable|Scheduling)\n$/);
    const yaml = await berth(['ls', '-n', one, '-o', 'yaml']);
    assert.match(yaml.stdout, /^kind: List$/m);
    assert.match(yaml.stdout, /status: Pending/);
  });

  it('50 VMs: every one listed, Stopped; name, no-headers and selector work', async () => {
    const run = await berth(['ls', '-n', many]);
    assert.equal(run.exitCode, 0, run.stderr);
    const rows = run.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 50);
    assert.ok(rows.every((r) => /^vm-\d\d\s+Stopped\s/.test(r)), rows.find((r) => !/Stopped/.test(r)));
    const names = await berth(['ls', '-n', many, '-o', 'name']);
    assert.deepEqual(names.stdout.trimEnd().split('\n'), Array.from({ length: 50 }, (_, i) => `vm/vm-${String(i).padStart(2, '0')}`));
    const bare = await berth(['ls', '-n', many, '--no-headers']);
    assert.equal(bare.stdout.trimEnd().split('\n').length, 50);
    assert.doesNotMatch(bare.stdout, /^NAME/);
    const odd = await berth(['ls', '-n', many, '-l', 't-plugin/team=odd', '-o', 'name']);
    assert.equal(odd.stdout.trimEnd().split('\n').length, 25);
  });

  it('-A lists VMs of every namespace with a NAMESPACE column', async () => {
    const run = await berth(['ls', '-A']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^NAMESPACE\s+NAME\s+STATUS/);
    const mine = run.stdout.split('\n').filter((l) => l.startsWith(one) || l.startsWith(many));
    assert.equal(mine.length, 51);
    const json = JSON.parse((await berth(['ls', '-A', '-o', 'json'])).stdout);
    assert.equal(json.items.filter((i: { namespace: string }) => i.namespace === many).length, 50);
  });

  it('a bad selector is a usage error from the server, explained', async () => {
    const run = await berth(['ls', '-n', one, '-l', '!!bad']);
    assert.equal(run.exitCode, 2);
    assert.match(run.message, /the cluster rejected it/);
  });
});
