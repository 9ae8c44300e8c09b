import assert from 'node:assert/strict';
import { buildImageRows, firstError, formatBytes, nodeDetail, readySummary, statusSummary } from '../../../../src/images/image-rows.js';
import { accelLabel, buildNodeRow } from '../../../../src/images/node-rows.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const catalog = {
  cirros: JSON.stringify({ url: 'http://x/c', sha256: A, size: 2048 }),
  ubuntu: JSON.stringify({ url: 'http://x/u', sha256: B }),
  broken: 'nope',
};
const node = (name: string, images: object | undefined, labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
  name,
  labels,
  annotations: { ...annotations, ...(images ? { 'berth.dev/image-cache': JSON.stringify(images) } : {}) },
});

describe('buildImageRows', () => {
  const rows = buildImageRows(catalog, [
    node('n1', { cirros: { state: 'ready', sha256: A, bytesDone: 2048, bytesTotal: 2048 }, ubuntu: { state: 'downloading', sha256: B, bytesDone: 25, bytesTotal: 100 } }),
    node('n2', { cirros: { state: 'failed', sha256: A, bytesDone: 0, error: 'HTTP 404' } }),
    node('no-agent', undefined),
  ]);
  it('joins catalog entries with per-node reports, sorted, leaving out nodes without an agent', () => {
    assert.deepEqual(rows.map((r) => r.name), ['broken', 'cirros', 'ubuntu']);
    assert.deepEqual(rows[1].nodes.map((n) => n.node), ['n1', 'n2']);
  });
  it('summarises status, readiness and progress', () => {
    const [broken, cirros, ubuntu] = rows;
    assert.equal(statusSummary(broken), 'Invalid');
    assert.equal(statusSummary(cirros), 'Failed');
    assert.equal(readySummary(cirros), '1/2');
    assert.equal(statusSummary(ubuntu), 'Downloading 25%');
    assert.equal(nodeDetail(ubuntu), 'n1=25%,n2=unknown');
  });
  it("shows an image that does not fit a node's cache budget as NoRoom, with the reason in the error", () => {
    const error = "does not fit the node's image cache budget: it needs 2.0KiB and the budget leaves 0B";
    const [row] = buildImageRows({ cirros: catalog.cirros }, [
      node('n1', { cirros: { state: 'ready', sha256: A, bytesDone: 2048 } }),
      node('n2', { cirros: { state: 'no-room', sha256: A, bytesDone: 0, error } }),
    ]);
    assert.equal(statusSummary(row), 'NoRoom');
    assert.equal(nodeDetail(row), 'n1=ready,n2=no-room');
    assert.equal(firstError(row), error);
  });
  it('ignores a report about another sha256 under the same name', () => {
    const [row] = buildImageRows({ cirros: catalog.cirros }, [node('n1', { cirros: { state: 'ready', sha256: B, bytesDone: 1 } })]);
    assert.equal(row.nodes[0].state, 'unknown');
  });
  it('formats sizes like kubectl quantities', () => {
    assert.deepEqual([undefined, 512, 2048, 1.5 * 1024 ** 3].map(formatBytes), ['-', '512B', '2.0KiB', '1.5GiB']);
  });
});

describe('buildNodeRow', () => {
  it('KVM node', () => {
    const r = buildNodeRow(node('n', {}, { 'berth.dev/kvm': 'true', 'berth.dev/node': 'true', 'image.berth.dev/cirros': 'ready' }, { 'berth.dev/kvm-reason': 'a test guest ran under KVM', 'berth.dev/agent-version': '0.1.0' }));
    assert.deepEqual(r, { name: 'n', vms: 'yes', accel: 'kvm', reason: 'a test guest ran under KVM', agentVersion: '0.1.0', imagesReady: ['cirros'] });
  });
  it('TCG-only node says so', () => {
    const r = buildNodeRow(node('n', {}, { 'berth.dev/kvm': 'false', 'berth.dev/node': 'true' }, { 'berth.dev/kvm-reason': 'kvm-pvm' }));
    assert.equal(r.vms, 'yes');
    assert.equal(accelLabel(r), 'tcg only');
  });
  it('node where nothing runs', () => {
    const r = buildNodeRow(node('n', {}, { 'berth.dev/kvm': 'false', 'berth.dev/node': 'false' }));
    assert.equal(r.vms, 'no');
    assert.equal(r.accel, 'none');
  });
  it('node without an agent', () => {
    const r = buildNodeRow(node('n', undefined));
    assert.equal(r.vms, 'unknown');
    assert.match(r.reason, /kubectl berth install/);
  });
});
