// create against the real local cluster, through the real bin/kubectl-berth: the objects it makes,
// where the scheduler may put them, that --dry-run output is accepted as-is by the API server,
// and that no bad input changes anything.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, DeviceResources, Labels, LauncherEnv } from '../../../shared/contract.js';
import { clusterKubeconfig, kubectl, NODE_NAME } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, kube, objectCounts, requireCluster, TEST_KEY, withNodeLabels, withTunDevices, powerlessKubeconfig } from './fixture.js';

const SHA = 'd'.repeat(64);
const files = mkdtempSync(join(tmpdir(), 't-plugin-files-'));

function podOf(namespace: string, vm: string) {
  return async () => {
    const { core } = await kube();
    return core.readNamespacedPod({ name: `${vm}-0`, namespace }).catch(() => undefined);
  };
}

describe('create (integration, local cluster)', function () {
  this.timeout(120_000);
  let ns: string;

  before(async function () {
    this.timeout(60_000);
    await requireCluster();
    ns = await createNamespace('create');
  });

  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it('creates the StatefulSet and the cloud-init Secret as specified', async () => {
    const run = await berth(['create', 'web', '-n', ns, '--image', DEAD_IMAGE, '--image-sha256', SHA, '--accel', 'tcg', '--cpus', '2', '--memory', '128Mi', '--ephemeral', '--disk-size', '2Gi', '--shutdown-timeout', '1s', '--node-selector', `t-plugin.berth.dev/never=${ns}`, '--allow-unschedulable']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'vm/web created\n');
    assert.match(run.stderr, /VM will stay Pending/);
    const { apps, core } = await kube();
    const sts = await apps.readNamespacedStatefulSet({ name: 'web', namespace: ns });
    assert.equal(sts.spec!.replicas, 1);
    assert.equal(sts.metadata!.labels![Labels.managedBy], 'kubectl-berth');
    assert.equal(sts.metadata!.labels![Labels.vm], 'web');
    assert.equal(sts.metadata!.annotations![Annotations.vmImage], DEAD_IMAGE);
    assert.equal(sts.metadata!.annotations![Annotations.vmCpus], '2');
    const podSpec = sts.spec!.template.spec!;
    const c = podSpec.containers[0];
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
    assert.equal(env[LauncherEnv.imageSha256], SHA);
    assert.equal(env[LauncherEnv.podIp], 'status.podIP');
    assert.equal(env[LauncherEnv.memoryMiB], '128');
    assert.equal(c.resources!.limits![DeviceResources.tun], '1');
    assert.equal(c.resources!.limits![DeviceResources.kvm], undefined);
    assert.deepEqual(c.securityContext!.capabilities!.drop, ['ALL']);
    assert.equal(c.securityContext!.capabilities!.add, undefined);
    assert.equal(c.securityContext!.privileged, undefined);
    assert.equal(podSpec.terminationGracePeriodSeconds, 16);
    assert.deepEqual(podSpec.nodeSelector, { 't-plugin.berth.dev/never': ns });
    const secret = await core.readNamespacedSecret({ name: 'web-cloudinit', namespace: ns });
    const userData = Buffer.from(secret.data!['user-data'], 'base64').toString();
    assert.ok(userData.startsWith('#cloud-config\n'));
    assert.ok(userData.includes(TEST_KEY), 'the default ~/.ssh/*.pub key is in user-data');
    // no instance-id: the launcher derives it from the seed, so an edit is a new instance
    assert.equal(Buffer.from(secret.data!['meta-data'], 'base64').toString(), 'local-hostname: web\n');
  });

  it('the scheduler places the VM only on a node carrying the labels it needs', async () => {
    // KVM: this node's agent found no usable KVM (berth.dev/kvm is not 'true'), so the pod must wait.
    const { core } = await kube();
    const node = await core.readNode({ name: NODE_NAME });
    if (node.metadata!.labels![Labels.nodeKvm] === 'true') throw new Error(`${NODE_NAME} claims usable KVM; this test expects kvm-pvm (no KVM for ordinary guests)`);
    const kvm = await berth(['create', 'kvm-vm', '-n', ns, '--image', DEAD_IMAGE, '--memory', '128Mi', '--ephemeral', '--allow-unschedulable']);
    assert.equal(kvm.exitCode, 0, kvm.stderr);
    const unschedulable = await eventually('kvm-vm Unschedulable', 60_000, async () => {
      const pod = await podOf(ns, 'kvm-vm')();
      const cond = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable' ? pod : undefined;
    });
    assert.equal(unschedulable.spec!.nodeName, undefined);

    // TCG with a test label in --node-selector: Unschedulable until the node carries that label.
    const label = 't-plugin.berth.dev/sched';
    const created = await berth(['create', 'tcg-vm', '-n', ns, '--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--ephemeral', '--shutdown-timeout', '1s', '--node-selector', `${label}=${ns}`, '--allow-unschedulable']);
    assert.equal(created.exitCode, 0, created.stderr);
    await eventually('tcg-vm Unschedulable', 60_000, async () => {
      const cond = (await podOf(ns, 'tcg-vm')())?.status?.conditions?.find((c) => c.type === 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable' ? true : undefined;
    });
    const restoreTun = await withTunDevices();
    const restore = await withNodeLabels({ [label]: ns, [Labels.nodeReady]: 'true' });
    try {
      const pod = await eventually('tcg-vm scheduled', 60_000, async () => {
        const p = await podOf(ns, 'tcg-vm')();
        return p?.spec?.nodeName ? p : undefined;
      });
      assert.equal(pod.spec!.nodeName, NODE_NAME);
      assert.equal(pod.status!.conditions!.find((c) => c.type === 'PodScheduled')!.status, 'True');
    } finally {
      await restore();
      await restoreTun();
    }
    const stillWaiting = await podOf(ns, 'kvm-vm')();
    assert.equal(stillWaiting!.spec!.nodeName, undefined, 'the KVM VM still has no node');
  });

  it('memory no node can give a pod is refused before anything exists (exit 6), with the largest --memory that fits', async () => {
    const restore = await withNodeLabels({ [Labels.nodeReady]: 'true' });
    try {
      const before = await objectCounts(ns);
      const run = await berth(['create', 'huge', '-n', ns, '--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '3Ti', '--ephemeral']);
      assert.equal(run.exitCode, 6, run.stderr);
      assert.match(run.message, /cannot place VM 'huge': its pod needs 3145984Mi of memory \(--memory 3Ti plus QEMU's overhead\), and the largest node that can run it can give a pod \d+\w*/);
      assert.match(run.message, /give it less memory: --memory \d+\w* or less/);
      assert.deepEqual(await objectCounts(ns), before);
    } finally {
      await restore();
    }
  });

  it('--wait stops at the launcher\'s own error when the guest can never start (exit 1)', async () => {
    const restoreTun = await withTunDevices();
    const restore = await withNodeLabels({ [Labels.nodeReady]: 'true' });
    try {
      const run = await berth(['create', 'doomed', '-n', ns, '--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--ephemeral', '--shutdown-timeout', '1s', '--wait', '--timeout', '100s']);
      assert.equal(run.exitCode, 1, run.stderr);
      assert.equal(run.stdout, 'vm/doomed created\n');
      assert.match(run.stderr, /Waiting for VM 'doomed'/);
      assert.match(run.message, /Error: VM 'doomed' cannot start: cannot download the base image from http:\/\/127\.0\.0\.1:9\/t-plugin\.qcow2/);
      assert.match(run.message, new RegExp(`kubectl logs doomed-0 -n ${ns} --previous`));
    } finally {
      await restore();
      await restoreTun();
    }
  });

  it('a namespace that would refuse the VM\'s pod fails create before anything exists (exit 5, the rule named)', async () => {
    // Admission judges the pod, which the StatefulSet controller makes later: here a quota of no
    // pods, which the StatefulSet itself passes. create sends the pod through a server dry run.
    const quotaNs = await createNamespace('create-quota');
    try {
      await kubectl(['create', 'quota', 'no-pods', '--hard=pods=0', '-n', quotaNs], { allowFailure: true });
      await eventually('the quota to be counted', 30_000, async () => (/pods\s+0\s+0/.test((await kubectl(['describe', 'quota', 'no-pods', '-n', quotaNs], { allowFailure: true })).stdout) ? true : undefined));
      const before = await objectCounts(quotaNs);
      const run = await berth(['create', 'refused', '-n', quotaNs, '--image', DEAD_IMAGE, '--image-sha256', SHA, '--accel', 'tcg', '--ephemeral', '--allow-unschedulable']);
      assert.equal(run.exitCode, 5, run.stderr);
      assert.match(run.message, /the cluster would refuse the pod of VM 'refused' in namespace '.*': .*exceeded quota: no-pods/);
      assert.match(run.message, /nothing was created/);
      assert.doesNotMatch(run.message, /ClusterRole/, 'the user may create pods; no role would help');
      assert.deepEqual(await objectCounts(quotaNs), before, 'no StatefulSet, no Secret');
    } finally {
      await deleteNamespace(quotaNs);
    }
  });

  describe('--dry-run output is accepted as-is by kubectl apply --dry-run=server', () => {
    const vncPasswordFile = join(files, 'vnc-password.txt');
    writeFileSync(vncPasswordFile, 'pw123\n');
    const variants: [string, string[]][] = [
      ['defaults (PVC, KVM)', []],
      ['ephemeral, TCG, password VNC from a file', ['--ephemeral', '--accel', 'tcg', '--vnc-password-file', vncPasswordFile]],
      ['user-data from a Secret, no VNC, no probe', ['--user-data-from', 'secret/app-init', '--no-vnc', '--ready-port', '0']],
      ['storage class, node selector, relayed ports, JSON', ['--storage-class', 'berth-test', '--node-selector', 'disk=ssd', '--port', '8080', '-o', 'json']],
    ];
    for (const [title, extra] of variants) {
      it(title, async () => {
        const before = await objectCounts(ns);
        const output = extra.includes('-o') ? [] : ['-o', 'yaml'];
        const printed = await berth(['create', 'dry', '-n', ns, '--image', DEAD_IMAGE, '--dry-run', ...output, ...extra]);
        assert.equal(printed.exitCode, 0, printed.stderr);
        const applied = await kubectl(['apply', '--dry-run=server', '-n', ns, '-f', '-'], { input: printed.stdout, allowFailure: true });
        assert.equal(applied.exitCode, 0, applied.stderr);
        assert.match(applied.stdout, /^secret\/dry-cloudinit created \(server dry run\)$/m);
        assert.match(applied.stdout, /^statefulset\.apps\/dry created \(server dry run\)$/m);
        assert.deepEqual(await objectCounts(ns), before, 'a dry run creates nothing');
      });
    }
  });

  describe('every bad input leaves the cluster unchanged', () => {
    const broken = join(files, 'broken.yaml');
    const privateKey = join(files, 'id_ed25519');
    writeFileSync(broken, '#cloud-config\npackages: [nginx\n');
    writeFileSync(join(files, 'long-password.txt'), 'longerthan8\n');
    writeFileSync(privateKey, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
    const unreachable = join(files, 'unreachable.kubeconfig');
    writeFileSync(unreachable, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:2'}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const base = ['--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--ephemeral'];
    const cases: [string, string[], number, RegExp][] = [
      ['invalid name', ['create', 'Bad_Name', ...base], 2, /VM name 'Bad_Name' contains upper-case letters/],
      ['name too long', ['create', 'x'.repeat(53), ...base], 2, /the limit is 52/],
      ['bad --cpus', ['create', 'bad', ...base, '--cpus', '0'], 2, /--cpus: '0' must be a whole number from 1 to 64/],
      ['bad --memory', ['create', 'bad', '--image', DEAD_IMAGE, '--memory', '2GB'], 2, /did you mean 2Gi\?/],
      ['missing --image without a terminal', ['create', 'bad'], 2, /missing --image/],
      ['missing user-data file', ['create', 'bad', ...base, '--user-data', join(files, 'nope.yaml')], 2, /--user-data: file '.*nope\.yaml' does not exist/],
      ['broken user-data YAML', ['create', 'bad', ...base, '--user-data', broken], 2, /--user-data: .*broken\.yaml is not valid YAML/],
      ['private key as --ssh-key', ['create', 'bad', ...base, '--ssh-key', privateKey], 2, /is a private key; pass the public key/],
      ['image not in the catalog', ['create', 'bad', '--image', 't-plugin-no-such-image', '--accel', 'tcg'], 3, /image 't-plugin-no-such-image' (is not in the image catalog|cannot be looked up)/],
      ['--user-data-from a missing Secret', ['create', 'bad', ...base, '--user-data-from', 'secret/nope'], 3, /--user-data-from: secret\/nope not found/],
      ['--user-data-from a ConfigMap without user-data', ['create', 'bad', ...base, '--user-data-from', 'configmap/no-user-data'], 2, /has no key 'user-data'/],
      ['--reuse-disk with no disk', ['create', 'bad', '--image', DEAD_IMAGE, '--accel', 'tcg', '--reuse-disk'], 3, /there is no disk to reuse/],
      ['unknown StorageClass', ['create', 'bad', '--image', DEAD_IMAGE, '--accel', 'tcg', '--storage-class', 'nope'], 3, /StorageClass 'nope' does not exist/],
      ['no node can run it', ['create', 'bad', ...base, '--node-selector', 't-plugin.berth.dev/nowhere=1'], 6, /cannot place VM 'bad'/],
      ['--vnc-password without a terminal', ['create', 'bad', ...base, '--vnc-password'], 2, /--vnc-password: no terminal to ask for the password on.*--vnc-password-file -/],
      ['--vnc-password-file too long a password', ['create', 'bad', ...base, '--vnc-password-file', join(files, 'long-password.txt')], 2, /--vnc-password-file: the first line of '.*long-password\.txt' must be 1 to 8 printable characters/],
      ['name already taken', ['create', 'taken', ...base], 4, /VM 'taken' already exists/],
      ['namespace does not exist', ['create', 'bad', ...base, '--allow-unschedulable', '-n', 't-plugin-no-such-namespace'], 3, /namespace 't-plugin-no-such-namespace' does not exist/],
      ['unreachable cluster', ['create', 'bad', ...base, '--kubeconfig', unreachable], 5, /cannot reach the cluster at https:\/\/127\.0\.0\.1:2/],
      ['unknown context', ['create', 'bad', ...base, '--context', 'nope'], 5, /context 'nope' is not in your kubeconfig/],
      ['no RBAC permission', ['create', 'bad', ...base, '--kubeconfig', join(files, 'powerless.kubeconfig')], 5, /cannot check for VM 'bad': forbidden \(.*"system:serviceaccount:t-plugin-create-[0-9a-f]+:powerless" cannot get resource "(statefulsets|secrets|persistentvolumeclaims)".*Try this:.* ask a cluster admin for the RBAC permission.* the ClusterRole berth-vm-admin grants this in a namespace/],
      ['quota forbids StatefulSets', ['create', 'bad', ...base, '--allow-unschedulable', '-n', 'QUOTA'], 5, /exceeded quota/],
    ];
    let quotaNs: string;

    before(async function () {
      this.timeout(60_000);
      const { core } = await kube();
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'no-user-data' }, data: { other: 'x' } } });
      const taken = await berth(['create', 'taken', '-n', ns, ...base, '--allow-unschedulable', '--node-selector', `t-plugin.berth.dev/never=${ns}`]);
      assert.equal(taken.exitCode, 0, taken.stderr);
      await powerlessKubeconfig(ns, join(files, 'powerless.kubeconfig'));
      quotaNs = await createNamespace('quota');
      await core.createNamespacedResourceQuota({ namespace: quotaNs, body: { metadata: { name: 'no-sts' }, spec: { hard: { 'count/statefulsets.apps': '0' } } } });
      await eventually('quota status', 60_000, async () => ((await core.readNamespacedResourceQuota({ name: 'no-sts', namespace: quotaNs })).status?.hard ? true : undefined));
    });

    after(async () => {
      if (quotaNs) await deleteNamespace(quotaNs);
    });

    for (const [title, args, exitCode, message] of cases) {
      it(`${title}: exit ${exitCode}`, async () => {
        const argv = args.map((a) => (a === 'QUOTA' ? quotaNs : a));
        const namespace = argv.includes('-n') ? argv[argv.indexOf('-n') + 1] : ns;
        if (!argv.includes('-n')) argv.push('-n', ns);
        const before = namespace.startsWith('t-plugin-no-such') ? undefined : await objectCounts(namespace);
        const run = await berth(argv);
        assert.equal(run.exitCode, exitCode, `${run.stderr}\n${run.stdout}`);
        assert.match(run.message, message);
        assert.match(run.stderr, /Try this:|Code:/);
        assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
        assert.equal(run.stdout, '');
        if (before) assert.deepEqual(await objectCounts(namespace), before);
        else {
          const { core } = await kube();
          await assert.rejects(core.readNamespace({ name: namespace }), 'the namespace was not created');
        }
      });
    }
  });

  it('kubeconfig: several KUBECONFIG files are joined as kubectl does', async () => {
    const empty = join(files, 'empty.kubeconfig');
    writeFileSync(empty, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    const run = await berth(['ls', '-n', ns, '-o', 'name'], { env: { KUBECONFIG: `${empty}:${clusterKubeconfig()}` } });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^vm\/web$/m);
  });
});
