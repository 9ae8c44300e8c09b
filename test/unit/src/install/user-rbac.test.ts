// The roles install ships for people (manifests/user-rbac.yaml), read from the shipped files: what
// each grants, how they aggregate, and that install applies them and uninstall deletes them.
import assert from 'node:assert/strict';
import { loadManifests } from '../../../../src/install/manifest-files.js';
import { deleteOrder, installImage, installObjects, objectRef, type ManifestObject } from '../../../../src/install/manifest-set.js';
import { Catalog, SYSTEM_NAMESPACE, UserRoles } from '../../../../shared/contract.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

async function shipped(): Promise<ManifestObject[]> {
  const { objects, kustomization } = await loadManifests();
  return installObjects(objects, kustomization, installImage(undefined, {}, kustomization));
}

function find(objects: ManifestObject[], kind: string, name: string): ManifestObject & { rules?: Rule[] } {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is shipped`);
  return found as ManifestObject & { rules?: Rule[] };
}

/** Every "group/resource verb" a role grants, sorted. */
function grants(role: { rules?: Rule[] }): string[] {
  return (role.rules ?? []).flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g ? `${g}/` : ''}${res} ${v}`)))).sort();
}

const labelsOf = (o: ManifestObject) => (o.metadata.labels ?? {}) as Record<string, string>;

describe('the RBAC shipped for VM users', () => {
  it('berth-vm-admin grants exactly what the VM commands call, WebSocket tunnels with get and create, and aggregates into admin and edit', async () => {
    const admin = find(await shipped(), 'ClusterRole', UserRoles.vmAdmin);
    assert.deepEqual(grants(admin), [
      'apps/statefulsets create', 'apps/statefulsets delete', 'apps/statefulsets get', 'apps/statefulsets list',
      'apps/statefulsets patch', 'apps/statefulsets/scale patch',
      'configmaps get',
      'events get', 'events list', 'events watch',
      'persistentvolumeclaims delete', 'persistentvolumeclaims get', 'persistentvolumeclaims list',
      'pods delete', 'pods get', 'pods list', 'pods watch',
      'pods/attach create', 'pods/attach get',
      'pods/log get',
      'pods/portforward create', 'pods/portforward get',
      'pods/resize patch',
      'secrets create', 'secrets delete', 'secrets get', 'secrets list',
      'serviceaccounts list',
    ].sort());
    assert.equal(labelsOf(admin)['rbac.authorization.k8s.io/aggregate-to-admin'], 'true');
    assert.equal(labelsOf(admin)['rbac.authorization.k8s.io/aggregate-to-edit'], 'true');
    assert.equal(labelsOf(admin)['rbac.authorization.k8s.io/aggregate-to-view'], undefined);
  });

  it('berth-vm-viewer only reads: no secrets, no tunnels, no changes; it aggregates into view', async () => {
    const viewer = find(await shipped(), 'ClusterRole', UserRoles.vmViewer);
    const granted = grants(viewer);
    assert.deepEqual(granted, ['apps/statefulsets get', 'apps/statefulsets list', 'events get', 'events list', 'events watch', 'pods get', 'pods list', 'pods/log get', 'serviceaccounts list']);
    assert.ok(granted.every((g) => /\s(get|list|watch)$/.test(g) && !g.includes('/portforward') && !g.includes('secrets')));
    assert.deepEqual(Object.keys(labelsOf(viewer)).filter((k) => k.startsWith('rbac.')), ['rbac.authorization.k8s.io/aggregate-to-view']);
  });

  it('berth-vm-guest-stop writes ServiceAccounts, Roles and RoleBindings for --on-guest-shutdown stop, and aggregates into admin only', async () => {
    const role = find(await shipped(), 'ClusterRole', UserRoles.vmGuestStop);
    assert.deepEqual(grants(role), [
      'rbac.authorization.k8s.io/rolebindings create', 'rbac.authorization.k8s.io/rolebindings delete', 'rbac.authorization.k8s.io/rolebindings patch',
      'rbac.authorization.k8s.io/roles create', 'rbac.authorization.k8s.io/roles delete', 'rbac.authorization.k8s.io/roles patch',
      'serviceaccounts create', 'serviceaccounts delete', 'serviceaccounts patch',
    ]);
    assert.deepEqual(Object.keys(labelsOf(role)).filter((k) => k.startsWith('rbac.')), ['rbac.authorization.k8s.io/aggregate-to-admin']);
  });

  it('every authenticated user may read the image catalog and the agent image, and nothing else in berth-system', async () => {
    const objects = await shipped();
    const role = find(objects, 'Role', UserRoles.catalogReader);
    assert.equal(role.metadata.namespace, SYSTEM_NAMESPACE);
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [Catalog.configMap], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['list'] },
    ]);
    const binding = find(objects, 'RoleBinding', UserRoles.catalogReader) as ManifestObject & { roleRef: unknown; subjects: unknown };
    assert.equal(binding.metadata.namespace, SYSTEM_NAMESPACE);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: UserRoles.catalogReader });
    assert.deepEqual(binding.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }]);
  });

  it('berth-cluster-viewer reads nodes and StorageClasses only, and nothing binds it', async () => {
    const objects = await shipped();
    assert.deepEqual(grants(find(objects, 'ClusterRole', UserRoles.clusterViewer)), ['nodes list', 'storage.k8s.io/storageclasses get', 'storage.k8s.io/storageclasses list']);
    const bound = objects.filter((o) => o.kind.endsWith('Binding')).map((o) => (o as { roleRef?: { name?: string } }).roleRef?.name);
    assert.ok(!bound.includes(UserRoles.clusterViewer), bound.join(' '));
  });

  it('install applies them and uninstall deletes them, with the kubectl-berth label', async () => {
    const objects = await shipped();
    const refs = deleteOrder(objects).map(objectRef);
    for (const ref of [
      `clusterrole.rbac.authorization.k8s.io/${UserRoles.vmAdmin}`,
      `clusterrole.rbac.authorization.k8s.io/${UserRoles.vmViewer}`,
      `clusterrole.rbac.authorization.k8s.io/${UserRoles.clusterViewer}`,
      `role.rbac.authorization.k8s.io/${UserRoles.catalogReader}`,
      `rolebinding.rbac.authorization.k8s.io/${UserRoles.catalogReader}`,
    ]) {
      assert.ok(refs.includes(ref), `${ref} in ${refs.join(' ')}`);
    }
    for (const name of Object.values(UserRoles)) {
      for (const o of objects.filter((x) => x.metadata.name === name)) assert.equal(labelsOf(o)['app.kubernetes.io/managed-by'], 'kubectl-berth', objectRef(o));
    }
  });
});
