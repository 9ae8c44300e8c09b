import assert from 'node:assert/strict';
import { loadManifests } from '../../../../src/install/manifest-files.js';
import { agentDaemonSet, berthImagesIn, installImage, installObjects, kustomizedImage, objectRef } from '../../../../src/install/manifest-set.js';
import { BERTH_IMAGE_DEFAULT, Catalog, SYSTEM_NAMESPACE } from '../../../../shared/contract.js';

describe('the manifests shipped in manifests/', () => {
  it('name the same default image in kustomization.yaml as keys.ts, so apply -k and install agree', async () => {
    const { kustomization } = await loadManifests();
    assert.deepEqual(kustomization.images.map(kustomizedImage), [BERTH_IMAGE_DEFAULT]);
  });

  it('install runs --image, else $BERTH_IMAGE, else the image kustomization.yaml names, as apply -k does', async () => {
    const { kustomization } = await loadManifests();
    assert.equal(installImage('reg.example/berth:7', { BERTH_IMAGE: 'env/berth:1' }, kustomization), 'reg.example/berth:7');
    assert.equal(installImage(undefined, { BERTH_IMAGE: 'env/berth:1' }, kustomization), 'env/berth:1');
    assert.equal(installImage(undefined, {}, kustomization), kustomizedImage(kustomization.images[0]!));
    const edited = { ...kustomization, images: [{ name: 'kubectl-berth', newName: 'mirror.example/berth', newTag: '9' }] };
    assert.equal(installImage(undefined, {}, edited), 'mirror.example/berth:9');
    assert.equal(installImage(undefined, {}, { ...kustomization, images: [] }), BERTH_IMAGE_DEFAULT);
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
