// create's operation in-process, with a stand-in for the cluster: every flag is checked before the
// cluster is touched, and a dry run hands the objects to the printer without one API request.
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { CreateFlags } from '../../../../src/commands/create.js';
import type { Connection } from '../../../../src/kube/connect.js';
import { createVm } from '../../../../src/ops/create-vm.js';
import type { OpIo } from '../../../../src/ops/io.js';
import { printable, type Printable } from '../../../../src/output/print.js';
import { Labels } from '../../../../shared/contract.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsUnitTestKeyOnly000000000000000000000000 t@ops';
/** create's flags as oclif hands them over when only `more` is typed. */
const flags = (more: Partial<CreateFlags>) => ({ vnc: true, ephemeral: false, 'reuse-disk': false, 'allow-unschedulable': false, wait: false, 'dry-run': false, ...more }) as CreateFlags;

/** A cluster connection whose every API call fails the test. */
const offline: Connection = {
  kubeConfig: {} as Connection['kubeConfig'],
  namespace: 'team-a',
  namespaceWasSet: true,
  requestTimeoutMs: 0,
  api: async () => new Proxy({}, { get: (_t, name) => (name === 'then' ? undefined : () => assert.fail(`unexpected API call ${String(name)}`)) }) as never,
};

function io(connect: () => Promise<Connection>) {
  const seen = { connects: 0, printed: [] as Printable[], notes: [] as string[] };
  const ops: OpIo = {
    connect: async () => (seen.connects++, connect()),
    note: (m) => seen.notes.push(m),
    print: (p) => seen.printed.push(p),
  };
  return { seen, ops };
}

describe('createVm (in-process)', () => {
  const bad: [string, Partial<CreateFlags>, RegExp][] = [
    ['a bad size', { image: 'debian-12', memory: '2GB' }, /--memory: '2GB' is not a Kubernetes quantity/],
    ['a bad image', { image: 'ftp://x/y.qcow2' }, /unsupported scheme/],
    ['a bad digest', { image: 'https://x.example/a.qcow2', 'image-sha256': 'abc' }, /not a sha256 digest/],
    ['conflicting flags', { image: 'x', 'user-data': 'a', 'user-data-from': 'secret/b' }, /--user-data and --user-data-from cannot be used together/],
    ['--dry-run with --wait', { image: 'x', 'dry-run': true, wait: true }, /--dry-run and --wait cannot be used together/],
  ];
  for (const [title, given, message] of bad) {
    it(`${title}: a usage error before the cluster is touched`, async () => {
      const { seen, ops } = io(async () => assert.fail('connected'));
      await assert.rejects(createVm('web', flags(given), ops), message);
      assert.equal(seen.connects, 0);
    });
  }

  it('--dry-run builds the objects and prints them through the printer; an unreadable cluster only costs a note', async () => {
    const { seen, ops } = io(async () => offline);
    const result = await createVm('web', flags({ image: 'https://x.example/a.qcow2', 'ssh-key': [KEY], 'dry-run': true, accel: 'tcg' }), ops);
    assert.equal(result.dryRun, true);
    assert.deepEqual(result.objects.map((o) => o.kind), ['Secret', 'StatefulSet']);
    assert.equal(result.namespace, 'team-a');
    assert.equal(seen.printed.length, 1);
    const docs = parseAllDocuments(printable(seen.printed[0], undefined)).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => d.metadata.name), ['web-cloudinit', 'web']);
    assert.equal(printable(seen.printed[0], 'name'), 'vm/web\n');
    assert.match(seen.notes.join('\n'), /no --image-sha256 given/);
    assert.match(seen.notes.join('\n'), /agent could not be read.*default launcher image/);
    assert.match(seen.notes.join('\n'), /cannot list the nodes that may run the VM \(the nodes could not be read .*\); its room to grow .* is 4× its size that no node bounds/);
    const env = Object.fromEntries(result.objects[1].spec!.template.spec!.containers[0].env!.map((e: { name: string; value?: string }) => [e.name, e.value]));
    assert.equal(env.BERTH_MAX_CPUS, '4');
  });

  it('--dry-run bounds the room to grow by the largest node that may run the VM, as a real create does', async () => {
    const nodes = { items: [{ status: { capacity: { cpu: '2' }, allocatable: { memory: '1Gi' } } }] };
    let selector = '';
    const reads: Connection = { ...offline, api: async () => ({ listNamespacedDaemonSet: async () => ({ items: [] }), listNode: async (q: { labelSelector: string }) => ((selector = q.labelSelector), nodes) }) as never };
    const { seen, ops } = io(async () => reads);
    const result = await createVm('web', flags({ image: 'https://x.example/a.qcow2', 'image-sha256': 'a'.repeat(64), 'ssh-key': [KEY], 'dry-run': true, accel: 'tcg', memory: '256Mi', 'node-selector': ['zone=a'] }), ops);
    assert.equal(selector, `${Labels.nodeReady}=true,zone=a`);
    const env = Object.fromEntries(result.objects[1].spec!.template.spec!.containers[0].env!.map((e: { name: string; value?: string }) => [e.name, e.value]));
    // 2 CPUs on the node, not 4x; 1Gi for the pod less 256Mi of TCG overhead leaves 768Mi, under 4x 256Mi
    assert.equal(env.BERTH_MAX_CPUS, '2');
    assert.equal(env.BERTH_MAX_MEMORY_MIB, '768');
    assert.deepEqual(seen.notes.filter((n) => /room to grow/.test(n)), []);
  });

  it('--dry-run names the launcher image the installed agent runs, as a real create would', async () => {
    const agentImage = 'registry.example/berth:9';
    const daemonSets = { items: [{ spec: { template: { spec: { containers: [{ name: 'agent', image: agentImage }] } } } }] };
    const reads: Connection = { ...offline, api: async () => ({ listNamespacedDaemonSet: async () => daemonSets }) as never };
    const { seen, ops } = io(async () => reads);
    const result = await createVm('web', flags({ image: 'https://x.example/a.qcow2', 'image-sha256': 'a'.repeat(64), 'ssh-key': [KEY], 'dry-run': true, accel: 'tcg' }), ops);
    assert.equal(result.objects[1].spec!.template.spec!.containers[0].image, agentImage);
    assert.deepEqual(seen.notes.filter((n) => /launcher image/.test(n)), []);
  });
});
