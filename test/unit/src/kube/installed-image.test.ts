import assert from 'node:assert/strict';
import { chooseLauncherImage } from '../../../../src/kube/installed-image.js';
import { BERTH_IMAGE_DEFAULT } from '../../../../shared/contract.js';

describe('chooseLauncherImage', () => {
  it('prefers $BERTH_IMAGE, then the installed agent image, then the default', () => {
    assert.equal(chooseLauncherImage({ BERTH_IMAGE: 'r/x:1' }, 'r/agent:2'), 'r/x:1');
    assert.equal(chooseLauncherImage({}, 'r/agent:2'), 'r/agent:2');
    assert.equal(chooseLauncherImage({}, undefined), BERTH_IMAGE_DEFAULT);
  });
});
