import assert from 'node:assert/strict';
import { loadManifests } from '../../../src/install/manifest-files.js';
import { agentDaemonSet, berthImagesIn, installObjects, kustomizedImage, objectRef } from '../../../src/install/manifest-set.js';
import { BERTH_IMAGE_DEFAULT, Catalog, SYSTEM_NAMESPACE } from '../../../src/shared/keys.js';

describe('the manifests shipped in manifests/', () => {
  it('name the same default image in kustomization.yaml as keys.ts, so apply -k and install agree', async () => {
    const { kustomization } = await loadManifests();
    assert.deepEqual(kustomization.images.map(kustomizedImage), [BERTH_IMAGE_DEFAULT]);
  });

  it('install the namespace, RBAC, the catalog and the agent DaemonSet, running the chosen image', async () => {
    const { objects, kustomization } = await loadManifests();
    const out = installObjects(objects, kustomization, 'reg.example/berth:7');
    const refs = out.map(objectRef);
    assert.ok(refs.includes(`namespace/${SYSTEM_NAMESPACE}`), refs.join(' '));
    assert.ok(refs.includes(`configmap/${Catalog.configMap}`), refs.join(' '));
    assert.ok(refs.some((r) => r.startsWith('clusterrole.rbac.authorization.k8s.io/')), refs.join(' '));
    assert.equal(agentDaemonSet(out).metadata.namespace, SYSTEM_NAMESPACE);
    assert.deepEqual(berthImagesIn(out), ['reg.example/berth:7']);
  });
});
