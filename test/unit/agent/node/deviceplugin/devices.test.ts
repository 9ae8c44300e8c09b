import assert from 'node:assert/strict';
import { buildAllocateResponse, buildDeviceList, buildPreferredAllocation, type SharedDevice } from '../../../../../agent/node/deviceplugin/devices.js';
import { parseAgentConfig, parseDuration } from '../../../../../agent/node/config.js';

const tun: SharedDevice = { resourceName: 'devices.berth.dev/tun', socketName: 'berth-tun.sock', devicePath: '/dev/net/tun', idPrefix: 'tun', slots: 110 };

describe('device plugin data', () => {
  it('advertises one healthy slot per VM the node may run', () => {
    const list = buildDeviceList(tun, true);
    assert.equal(list.length, 110);
    assert.deepEqual(list[0], { ID: 'tun-000', health: 'Healthy' });
    assert.equal(list[109].ID, 'tun-109');
    assert.equal(new Set(list.map((d) => d.ID)).size, 110);
    assert.ok(buildDeviceList(tun, false).every((d) => d.health === 'Unhealthy'));
  });
  it('hands each container the device node read-write', () => {
    const res = buildAllocateResponse(tun, { container_requests: [{ devicesIDs: ['tun-001', 'tun-002'] }, { devicesIDs: ['tun-003'] }] });
    assert.equal(res.container_responses.length, 2);
    assert.deepEqual(res.container_responses[0].devices, [{ container_path: '/dev/net/tun', host_path: '/dev/net/tun', permissions: 'rw' }]);
  });
  it("hands out the agent's open device node and mounts the image cache read-only, for every container", () => {
    const vmTun: SharedDevice = { ...tun, hostPath: '/var/lib/berth/dev/tun', mounts: [{ hostPath: '/var/lib/berth/images', containerPath: '/var/lib/berth/images' }] };
    const res = buildAllocateResponse(vmTun, { container_requests: [{ devicesIDs: ['tun-001'] }, { devicesIDs: ['tun-003'] }] });
    for (const response of res.container_responses) {
      assert.deepEqual(response.devices, [{ container_path: '/dev/net/tun', host_path: '/var/lib/berth/dev/tun', permissions: 'rw' }]);
      assert.deepEqual(response.mounts, [{ container_path: '/var/lib/berth/images', host_path: '/var/lib/berth/images', read_only: true }]);
    }
  });
  it('prefers the required slots, then any others', () => {
    const res = buildPreferredAllocation({ container_requests: [{ available_deviceIDs: ['a', 'b', 'c'], must_include_deviceIDs: ['c'], allocation_size: 2 }] });
    assert.deepEqual(res.container_responses[0].deviceIDs, ['c', 'a']);
  });
});

describe('agent config', () => {
  it('needs a node name to run, not to probe', () => {
    assert.throws(() => parseAgentConfig([], {}), /NODE_NAME/);
    assert.equal(parseAgentConfig(['probe'], {}).command, 'probe');
  });
  it('takes options before environment before defaults', () => {
    const c = parseAgentConfig(['--cache-dir', '/c', '--max-downloads', '3'], { NODE_NAME: 'n', BERTH_AGENT_CACHE_DIR: '/env', BERTH_AGENT_STALL_TIMEOUT: '5s' });
    assert.equal(c.nodeName, 'n');
    assert.equal(c.cacheDir, '/c');
    assert.equal(c.maxDownloads, 3);
    assert.equal(c.stallMs, 5000);
    assert.equal(c.httpHost, '127.0.0.1');
    assert.equal(c.httpPort, 9477);
    assert.equal(c.devicePluginDir, '/var/lib/kubelet/device-plugins');
    assert.equal(c.catalogNamespace, 'berth-system');
  });
  it('names the bad option', () => {
    assert.throws(() => parseAgentConfig(['--max-downloads', '0'], { NODE_NAME: 'n' }), /--max-downloads '0'/);
    assert.throws(() => parseAgentConfig(['--bogus', 'x'], { NODE_NAME: 'n' }), /bogus/);
    assert.throws(() => parseAgentConfig(['--http', 'nope'], { NODE_NAME: 'n' }), /host:port/);
  });
  it('parses durations', () => {
    assert.deepEqual(['500ms', '30s', '2m', '1h', '7'].map((v) => parseDuration('x', v)), [500, 30000, 120000, 3600000, 7000]);
    assert.throws(() => parseDuration('stall-timeout', 'soon'), /--stall-timeout: 'soon' is not a duration/);
  });
  it('backs off failed downloads from 2s to 5m unless told, and refuses bounds the wrong way round', () => {
    const c = parseAgentConfig([], { NODE_NAME: 'n' });
    assert.deepEqual([c.retryMinMs, c.retryMaxMs], [2000, 300_000]);
    assert.deepEqual(parseAgentConfig(['--retry-min', '100ms', '--retry-max', '400ms'], { NODE_NAME: 'n' }).retryMaxMs, 400);
    assert.throws(() => parseAgentConfig(['--retry-min', '1m', '--retry-max', '10s'], { NODE_NAME: 'n' }), /--retry-max \(10000 ms\) must not be shorter than --retry-min \(60000 ms\)/);
    assert.throws(() => parseAgentConfig(['--retry-min', '0'], { NODE_NAME: 'n' }), /--retry-min must be longer than 0/);
  });
  it('keeps 20% of the file system free for the image cache and caps it nowhere, unless told', () => {
    const n = { NODE_NAME: 'n' };
    assert.deepEqual([parseAgentConfig([], n).diskReserve, parseAgentConfig([], n).cacheMax], [{ percent: 20 }, undefined]);
    const c = parseAgentConfig(['--disk-reserve', '256Mi'], { ...n, BERTH_AGENT_CACHE_MAX: '50Gi' });
    assert.deepEqual([c.diskReserve, c.cacheMax], [{ bytes: 268435456 }, 50 * 2 ** 30]);
    assert.deepEqual(parseAgentConfig([], { ...n, BERTH_AGENT_DISK_RESERVE: '12.5%' }).diskReserve, { percent: 12.5 });
    assert.throws(() => parseAgentConfig(['--disk-reserve', '5GB'], n), /--disk-reserve: '5GB' is not a Kubernetes quantity; did you mean 5Gi\? \(a share of the file system, such as 20%, also works\)/);
    assert.throws(() => parseAgentConfig(['--disk-reserve', '100%'], n), /--disk-reserve: '100%' leaves the cache no room/);
    assert.throws(() => parseAgentConfig(['--cache-max', 'lots'], n), /--cache-max: 'lots' is not a size.* \(or none, for no cap\)/);
  });
});
