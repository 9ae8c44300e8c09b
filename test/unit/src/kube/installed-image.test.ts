import assert from 'node:assert/strict';
import { chooseLauncherImage } from '../../../../src/kube/installed-image.js';
import { BERTH_IMAGE_DEFAULT } from '../../../../shared/contract.js';

describe('chooseLauncherImage', () => {
  it('prefers $BERTH_IMAGE, then the installed agent image, then the default', () => {
    assert.deepEqual(chooseLauncherImage({ BERTH_IMAGE: 'r/x:1' }, { image: 'r/agent:2' }), { image: 'r/x:1' });
    assert.deepEqual(chooseLauncherImage({}, { image: 'r/agent:2' }), { image: 'r/agent:2' });
  });

  it('says why when it falls back to the default', () => {
    assert.deepEqual(chooseLauncherImage({}, { why: 'the berth agent is not installed' }), { image: BERTH_IMAGE_DEFAULT, guess: 'the berth agent is not installed' });
    assert.deepEqual(chooseLauncherImage({ BERTH_IMAGE: 'r/x:1' }, { why: 'unreadable' }), { image: 'r/x:1' });
  });
});
