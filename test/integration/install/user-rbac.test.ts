// The roles install ships for VM users (manifests/user-rbac.yaml), proven on the local cluster with
// real requests made by ServiceAccounts with TokenRequest tokens: berth-vm-viewer lists VMs but may
// not stop one or open a tunnel; berth-vm-admin creates, stops, starts and purges a VM, forwards a
// port and attaches to the console of the access tests' stand-in VM; create --on-guest-shutdown stop
// (its own ServiceAccount, Role and RoleBinding: berth-vm-guest-stop) is admin's, not edit's, where
// edit is refused with the role named. The roles are applied through
// install's own apply under names of the test's own (same rules, same aggregation labels, plus a
// marker rule to trace the aggregation), so a berth install on the shared cluster is never touched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from '../../../src/kube/connect.js';
import { applyObjects, deleteObjects } from '../../../src/install/apply.js';
import { loadManifests } from '../../../src/install/manifest-files.js';
import { installImage, installObjects, type ManifestObject } from '../../../src/install/manifest-set.js';
import { Catalog, guestShutdownAccountName, UserRoles } from '../../../shared/contract.js';
import { buildAccessImage, consoleRoundTrip, startBerth, startFixture, type Fixture } from '../access/fixture.js';
import { berth, DEAD_IMAGE } from '../plugin/fixture.js';
import { waitForOutput } from '../../support/child-output.js';
import { clusterKubeconfig, kubectl, requireCluster, serviceAccountKubeconfig } from '../../support/cluster.js';
import { eventually } from '../../support/eventually.js';

const suffix = randomBytes(3).toString('hex');
const copyName = (name: string) => `t-rbac-${suffix}-${name}`;
const marker = (name: string) => ({ apiGroups: [''], resources: ['configmaps'], resourceNames: [`${copyName(name)}-marker`], verbs: ['get'] });

/** The shipped object `kind`/`name` under the test's own name, in `namespace` if it is namespaced. */
function copyOf(objects: ManifestObject[], kind: string, name: string, namespace?: string): ManifestObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is shipped`);
  const copy = structuredClone(found);
  copy.metadata.name = copyName(name);
  if (namespace) copy.metadata.namespace = namespace;
  return copy;
}

describe('the RBAC install ships for VM users, on the local cluster', function () {
  this.timeout(120_000);
  const files = mkdtempSync(join(tmpdir(), 't-rbac-'));
  const config = (who: string) => join(files, `${who}.kubeconfig`);
  let fx: Fixture;
  let ns: string;
  let conn: Connection;
  let roles: ManifestObject[] = [];
  const clusterViewerBinding = copyName('cluster-viewer-binding');

  before(async function () {
    this.timeout(300_000);
    await requireCluster();
    fx = await startFixture(await buildAccessImage());
    ns = fx.namespace;
    conn = await connect({ kubeconfig: clusterKubeconfig() });
    const { objects, kustomization } = await loadManifests();
    const shipped = installObjects(objects, kustomization, installImage(undefined, {}, kustomization));
    const admin = copyOf(shipped, 'ClusterRole', UserRoles.vmAdmin);
    const viewer = copyOf(shipped, 'ClusterRole', UserRoles.vmViewer);
    (admin.rules as unknown[]).push(marker(UserRoles.vmAdmin));
    (viewer.rules as unknown[]).push(marker(UserRoles.vmViewer));
    const guestStop = copyOf(shipped, 'ClusterRole', UserRoles.vmGuestStop);
    (guestStop.rules as unknown[]).push(marker(UserRoles.vmGuestStop));
    const catalogRole = copyOf(shipped, 'Role', UserRoles.catalogReader, ns);
    const catalogBinding = copyOf(shipped, 'RoleBinding', UserRoles.catalogReader, ns);
    (catalogBinding.roleRef as { name: string }).name = catalogRole.metadata.name;
    roles = [admin, viewer, guestStop, copyOf(shipped, 'ClusterRole', UserRoles.clusterViewer), catalogRole, catalogBinding];
    await applyObjects(conn, roles, () => undefined);
    for (const [who, role] of [['vm-viewer', viewer], ['vm-admin', admin]] as const) {
      await serviceAccountKubeconfig(ns, who, config(who));
      const bound = await kubectl(['create', 'rolebinding', who, `--clusterrole=${role.metadata.name}`, `--serviceaccount=${ns}:${who}`, '-n', ns], { allowFailure: true });
      assert.equal(bound.exitCode, 0, bound.stderr);
    }
    // Kubernetes' own user-facing roles, which the berth roles aggregate into
    for (const role of ['edit', 'admin']) {
      await serviceAccountKubeconfig(ns, role, config(role));
      const bound = await kubectl(['create', 'rolebinding', `${role}-user`, `--clusterrole=${role}`, `--serviceaccount=${ns}:${role}`, '-n', ns], { allowFailure: true });
      assert.equal(bound.exitCode, 0, bound.stderr);
    }
    await serviceAccountKubeconfig(ns, 'nobody', config('nobody'));
  });

  after(async function () {
    this.timeout(120_000);
    await kubectl(['delete', 'clusterrolebinding', clusterViewerBinding, '--ignore-not-found'], { allowFailure: true });
    if (conn && roles.length > 0) await deleteObjects(conn, roles, () => undefined);
    await fx?.cleanup();
  });

  const can = async (who: string, ...args: string[]) => (await kubectl(['auth', 'can-i', '--kubeconfig', config(who), '-n', ns, ...args], { allowFailure: true })).stdout.trim();
  const as = (who: string) => ({ env: { KUBECONFIG: config(who) } });

  it('the aggregation controller adds berth-vm-admin to admin and edit, berth-vm-guest-stop to admin alone, and berth-vm-viewer to view', async () => {
    const rulesOf = async (role: string) => JSON.stringify((JSON.parse((await kubectl(['get', 'clusterrole', role, '-o', 'json'], { allowFailure: true })).stdout) as { rules?: unknown[] }).rules ?? []);
    const has = (rules: string, name: string) => rules.includes(`"${copyName(name)}-marker"`);
    await eventually('the aggregated rules', 30_000, async () => {
      const [admin, edit, view] = await Promise.all([rulesOf('admin'), rulesOf('edit'), rulesOf('view')]);
      return has(admin, UserRoles.vmAdmin) && has(edit, UserRoles.vmAdmin) && has(view, UserRoles.vmViewer) && has(admin, UserRoles.vmGuestStop) ? true : undefined;
    });
    assert.equal(has(await rulesOf('view'), UserRoles.vmAdmin), false, 'view does not get the admin role');
    assert.equal(has(await rulesOf('edit'), UserRoles.vmGuestStop), false, 'edit does not get the guest-stop role');
  });

  describe('berth-vm-viewer', () => {
    it('lists the VMs', async () => {
      const run = await berth(['ls', '-o', 'name'], as('vm-viewer'));
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.stdout, 'vm/running\nvm/stopped\n');
    });

    it('may not stop a VM: exit 5, the missing permission named, and the role that grants it', async () => {
      const run = await berth(['stop', 'running'], as('vm-viewer'));
      assert.equal(run.exitCode, 5, run.stderr);
      assert.match(run.message, /cannot stop VM 'running': forbidden \(.*cannot patch resource "statefulsets\/scale" in API group "apps"/);
      assert.match(run.message, /the ClusterRole berth-vm-admin grants this in a namespace: kubectl create rolebinding berth-vm-admin --clusterrole=berth-vm-admin/);
      assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      const replicas = await kubectl(['get', 'statefulset', 'running', '-n', ns, '-o', 'jsonpath={.spec.replicas}'], { allowFailure: true });
      assert.equal(replicas.stdout, '1');
    });

    it('may open no tunnel and read no Secret', async () => {
      const forward = await startBerth(['port-forward', '--stdio', 'running', '7'], { stdin: 'pipe', env: as('vm-viewer').env });
      assert.equal(forward.exitCode, 5, forward.stderr);
      assert.match(forward.stderr, /cannot forward a port of VM 'running': forbidden/);
      assert.deepEqual(await Promise.all([can('vm-viewer', 'get', 'pods', '--subresource=portforward'), can('vm-viewer', 'create', 'pods', '--subresource=attach'), can('vm-viewer', 'get', 'secrets')]), ['no', 'no', 'no']);
    });
  });

  describe('berth-vm-admin', () => {
    it('grants get and create on pods/portforward and pods/attach, and nothing beyond the namespace', async () => {
      const verbs = ['get', 'create'].flatMap((verb) => ['portforward', 'attach'].map((sub) => can('vm-admin', verb, 'pods', `--subresource=${sub}`)));
      assert.deepEqual(await Promise.all(verbs), ['yes', 'yes', 'yes', 'yes']);
      assert.equal(await can('vm-admin', 'patch', 'statefulsets.apps', '--subresource=scale'), 'yes');
      assert.equal((await kubectl(['auth', 'can-i', '--kubeconfig', config('vm-admin'), 'get', 'secrets', '-n', 'default'], { allowFailure: true })).stdout.trim(), 'no');
      assert.equal((await kubectl(['auth', 'can-i', '--kubeconfig', config('vm-admin'), 'list', 'nodes'], { allowFailure: true })).stdout.trim(), 'no');
    });

    it('forwards a port of a running VM (a WebSocket upgrade, authorized as get and create)', async () => {
      const child = startBerth(['port-forward', '--stdio', 'running', '7'], { stdin: 'pipe', env: as('vm-admin').env });
      const word = `rbac-${randomBytes(4).toString('hex')}`;
      const echoed = waitForOutput(child, 'stdout', new RegExp(word));
      child.stdin!.write(`${word}\n`);
      await echoed;
      child.stdin!.end();
      const result = await child;
      assert.equal(result.exitCode, 0, result.stderr);
    });

    it('attaches to the console', async () => {
      const result = await consoleRoundTrip(startBerth(['console', 'running'], { stdin: 'pipe', env: as('vm-admin').env }));
      assert.equal(result.exitCode, 0, result.stderr);
    });

    it('creates (server-side dry run, then for real), stops, starts and purges a VM with its disk', async () => {
      const vm = ['--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--allow-unschedulable', '--node-selector', `t-rbac.berth.dev/never=${suffix}`];
      const created = await berth(['create', 'web', ...vm], as('vm-admin'));
      assert.equal(created.exitCode, 0, created.stderr);
      assert.equal(created.stdout, 'vm/web created\n');
      // Nodes are beyond a RoleBinding: create says it could not check them and goes ahead.
      assert.match(created.message, /cannot check which nodes can run the VM \(not allowed to list nodes\); going ahead/);
      for (const [verb, out] of [['stop', 'vm/web stopped\n'], ['start', 'vm/web started\n']]) {
        const run = await berth([verb, 'web'], as('vm-admin'));
        assert.equal(run.exitCode, 0, run.stderr);
        assert.equal(run.stdout, out);
      }
      // The StatefulSet controller makes the disk's claim; purge deletes what it finds.
      await eventually('PVC disk-web-0', 30_000, async () => ((await kubectl(['get', 'pvc', 'disk-web-0', '-n', ns], { allowFailure: true })).exitCode === 0 ? true : undefined));
      const purged = await berth(['purge', 'web', '--delete-disks', '--yes', '-o', 'name'], as('vm-admin'));
      assert.equal(purged.exitCode, 0, purged.stderr);
      assert.equal(purged.stdout, 'statefulset/web\nsecret/web-cloudinit\npersistentvolumeclaim/disk-web-0\n');
      const left = await kubectl(['get', 'statefulset,secret', '-n', ns, '-l', 'berth.dev/vm=web', '-o', 'name'], { allowFailure: true });
      assert.equal(left.stdout, '');
    });

    it('with berth-cluster-viewer bound as well, create checks the nodes and refuses a VM none can run', async () => {
      const bound = await kubectl(['create', 'clusterrolebinding', clusterViewerBinding, `--clusterrole=${copyName(UserRoles.clusterViewer)}`, `--serviceaccount=${ns}:vm-admin`], { allowFailure: true });
      assert.equal(bound.exitCode, 0, bound.stderr);
      await eventually('the binding to take effect', 30_000, async () => ((await kubectl(['auth', 'can-i', '--kubeconfig', config('vm-admin'), 'list', 'nodes'], { allowFailure: true })).stdout.trim() === 'yes' ? true : undefined));
      const run = await berth(['create', 'nowhere', '--image', DEAD_IMAGE, '--accel', 'tcg', '--node-selector', `t-rbac.berth.dev/never=${suffix}`], as('vm-admin'));
      assert.equal(run.exitCode, 6, run.stderr);
      assert.match(run.message, /cannot place VM 'nowhere'/);
    });
  });

  describe('create --on-guest-shutdown stop (the VM\'s own ServiceAccount, Role and RoleBinding)', () => {
    const vm = ['--image', DEAD_IMAGE, '--accel', 'tcg', '--memory', '128Mi', '--allow-unschedulable', '--node-selector', `t-rbac.berth.dev/never=${suffix}`, '--on-guest-shutdown', 'stop'];
    const leftovers = async (name: string) => (await kubectl(['get', 'serviceaccount,role,rolebinding', '-n', ns, '--field-selector', `metadata.name=${name}`, '-o', 'name'], { allowFailure: true })).stdout;
    const vmLeft = async (name: string) => (await kubectl(['get', 'statefulset,secret', '-n', ns, '-l', `berth.dev/vm=${name}`, '-o', 'name'], { allowFailure: true })).stdout;

    it('edit may not: exit 5, the missing permission named, the role that grants it, nothing left behind', async () => {
      const run = await berth(['create', 'guest-stop-edit', ...vm], as('edit'));
      assert.equal(run.exitCode, 5, run.stderr);
      assert.match(run.message, /forbidden \(.*cannot create resource "roles" in API group "rbac\.authorization\.k8s\.io"/);
      assert.match(run.message, /needs the ClusterRole berth-vm-guest-stop \(part of admin\): kubectl create rolebinding berth-vm-guest-stop --clusterrole=berth-vm-guest-stop/);
      assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      assert.equal(await leftovers(guestShutdownAccountName('guest-stop-edit')), '');
      assert.equal(await vmLeft('guest-stop-edit'), '');
    });

    it('admin may: the VM and its three objects are made, and purge removes them all', async () => {
      const name = 'guest-stop-admin';
      const account = guestShutdownAccountName(name);
      const created = await berth(['create', name, ...vm], as('admin'));
      assert.equal(created.exitCode, 0, created.stderr);
      assert.equal(created.stdout, `vm/${name} created\n`);
      assert.equal(await leftovers(account), `serviceaccount/${account}\nrole.rbac.authorization.k8s.io/${account}\nrolebinding.rbac.authorization.k8s.io/${account}`);
      const purged = await berth(['purge', name, '--delete-disks', '--yes'], as('admin'));
      assert.equal(purged.exitCode, 0, purged.stderr);
      // the StatefulSet owns them: the garbage collector deletes them after it
      await eventually('the VM\'s objects to be gone', 60_000, async () => ((await leftovers(account)) === '' && (await vmLeft(name)) === '' ? true : undefined));
    });
  });

  it('berth-catalog-reader lets any authenticated account read the catalog ConfigMap, and no other', async () => {
    assert.equal(await can('nobody', 'get', `configmap/${Catalog.configMap}`), 'yes');
    assert.equal(await can('nobody', 'get', 'configmap/other'), 'no');
    assert.equal(await can('nobody', 'list', 'configmaps'), 'no');
    assert.equal(await can('nobody', 'list', 'daemonsets.apps'), 'yes');
  });
});
