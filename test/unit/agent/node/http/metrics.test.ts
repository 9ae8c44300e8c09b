import assert from 'node:assert/strict';
import { escapeLabelValue, renderMetrics } from '../../../../../agent/node/http/metrics.js';

describe('renderMetrics', () => {
  const text = renderMetrics({
    agentVersion: '0.1.0',
    node: 'n1',
    kvm: false,
    qemu: true,
    images: new Map([['cirros', { state: 'downloading', sha256: 'a'.repeat(64), bytesDone: 5, bytesTotal: 10, updated: 'x' }]]),
    downloadsSucceeded: 2,
    downloadsFailed: 1,
    bytesDownloaded: 123,
    devicePlugins: new Map([['devices.berth.dev/tun', true]]),
  });
  it('writes one HELP and TYPE line per family', () => {
    assert.equal(text.match(/^# TYPE berth_image_state gauge$/gm)?.length, 1);
    assert.equal(text.match(/^# TYPE berth_image_downloads_total counter$/gm)?.length, 1);
  });
  it('writes samples in the text format', () => {
    for (const line of [
      'berth_agent_info{version="0.1.0",node="n1"} 1',
      'berth_node_kvm 0',
      'berth_node_qemu 1',
      'berth_image_state{image="cirros",state="downloading"} 1',
      'berth_image_state{image="cirros",state="ready"} 0',
      'berth_image_bytes_done{image="cirros"} 5',
      'berth_image_bytes_total{image="cirros"} 10',
      'berth_image_downloads_total{result="failure"} 1',
      'berth_image_download_bytes_total 123',
      'berth_device_plugin_registered{resource="devices.berth.dev/tun"} 1',
    ]) assert.ok(text.split('\n').includes(line), `missing: ${line}`);
    assert.ok(text.endsWith('\n'));
    for (const line of text.trim().split('\n')) assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?\d+(\.\d+)?)$/);
  });
  it('escapes label values', () => {
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  });
});
