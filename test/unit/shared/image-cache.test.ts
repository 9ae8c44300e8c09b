import assert from 'node:assert/strict';
import { imageLabelName } from '../../../shared/catalog.js';
import { Labels, type ImageCacheStatus } from '../../../shared/contract.js';
import { imageLabelKey, parseImageCacheAnnotation, renderImageCacheAnnotation } from '../../../shared/image-cache.js';

const ready: ImageCacheStatus = { state: 'ready', sha256: 'a'.repeat(64), bytesDone: 10, bytesTotal: 10, updated: '2026-01-01T00:00:00.000Z' };

describe('the node image-cache report (shared by the agent and the plugin)', () => {
  it('builds the image label key from the sanitised image name', () => {
    assert.equal(imageLabelKey('debian-12'), 'image.berth.dev/debian-12');
    const long = 'x'.repeat(80);
    assert.equal(imageLabelKey(long), `${Labels.nodeImagePrefix}${imageLabelName(long)}`);
  });
  it('renders the annotation with sorted keys, and parses it back', () => {
    const value = renderImageCacheAnnotation(new Map([['z', ready], ['a', ready]]));
    assert.equal(Object.keys(JSON.parse(value)).join(), 'a,z');
    assert.deepEqual(parseImageCacheAnnotation(value), { a: ready, z: ready });
  });
  it('parses garbage annotations as empty', () => {
    assert.deepEqual(parseImageCacheAnnotation('not json'), {});
    assert.deepEqual(parseImageCacheAnnotation('[1]'), {});
    assert.deepEqual(parseImageCacheAnnotation('null'), {});
    assert.deepEqual(parseImageCacheAnnotation(''), {});
    assert.deepEqual(parseImageCacheAnnotation(undefined), {});
  });
});
