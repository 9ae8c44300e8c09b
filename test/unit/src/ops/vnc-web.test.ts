import assert from 'node:assert/strict';
import { checkWebFlags } from '../../../../src/ops/vnc-web.js';

describe('ops: the flags of vnc --web', () => {
  const base = { web: true, browser: true, proxyOnly: false, address: '127.0.0.1' };
  it('takes --web alone or with --no-browser', () => {
    checkWebFlags(base);
    checkWebFlags({ ...base, browser: false });
    checkWebFlags({ ...base, web: false });
  });
  it('refuses --no-browser without --web, and --web with --proxy-only, --viewer or --address', () => {
    assert.throws(() => checkWebFlags({ ...base, web: false, browser: false }), /--no-browser needs --web/);
    assert.throws(() => checkWebFlags({ ...base, proxyOnly: true }), /exclude each other/);
    assert.throws(() => checkWebFlags({ ...base, viewer: 'vncviewer' }), /exclude each other/);
    assert.throws(() => checkWebFlags({ ...base, address: '0.0.0.0' }), /127\.0\.0\.1 only/);
  });
});
