import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import { largestAllocatableMemory, largestNodeRoom, vmNodeLabelSelector } from '../../../../src/core/node-room.js';
import { Labels } from '../../../../shared/contract.js';
import { GiB, MiB } from '../../../../shared/quantity.js';
import { hotplugHeadroom, podMemoryBytes } from '../../../../shared/vm-size.js';

const node = (memory?: string, cpu?: string): V1Node => ({
  status: { allocatable: memory === undefined ? {} : { memory }, capacity: cpu === undefined ? {} : { cpu } },
});

describe('core/node-room largestAllocatableMemory: the most memory one node can give a pod', () => {
  it('the largest of the nodes, in bytes', () => {
    assert.equal(largestAllocatableMemory([node('8029396Ki'), node('2Gi')]), 8029396 * 1024);
  });
  it('unknown when no node says, or says it in a form not parsed: never "too small"', () => {
    assert.equal(largestAllocatableMemory([]), undefined);
    assert.equal(largestAllocatableMemory([node(), node('1e9')]), undefined);
  });
});

describe('core/node-room vmNodeLabelSelector: the nodes a VM pod may land on', () => {
  it('the agent\'s proof for the accelerator, then --node-selector', () => {
    assert.equal(vmNodeLabelSelector('kvm', {}), `${Labels.nodeKvm}=true`);
    assert.equal(vmNodeLabelSelector('tcg', { zone: 'a', disk: 'ssd' }), `${Labels.nodeReady}=true,zone=a,disk=ssd`);
  });
});

describe('core/node-room largestNodeRoom and hotplugHeadroom: room to grow within the largest node', () => {
  it('the most CPUs of any node (capacity, whole CPUs) and its pod memory less QEMU\'s overhead', () => {
    const room = largestNodeRoom([node('4Gi', '2'), node('16Gi', '8'), node('8Gi', '3500m')], 'kvm');
    assert.deepEqual(room, { cpus: 8, memoryBytes: 16 * GiB - podMemoryBytes({ memoryBytes: 0, accel: 'kvm' }) });
    assert.equal(largestNodeRoom([node('16Gi')], 'tcg').memoryBytes, 16 * GiB - podMemoryBytes({ memoryBytes: 0, accel: 'tcg' }));
  });
  it('says nothing it cannot read: no nodes, unparsed quantities, less than a CPU', () => {
    assert.deepEqual(largestNodeRoom([], 'tcg'), {});
    assert.deepEqual(largestNodeRoom([node(undefined, 'lots'), node('1e9', '500m')], 'tcg'), {});
  });
  it('4x the boot size when no node bounds it, within 64 vCPUs', () => {
    assert.deepEqual(hotplugHeadroom({ cpus: 2, memoryBytes: GiB }), { maxCpus: 8, maxMemoryBytes: 4 * GiB, memorySlots: 16 });
    assert.equal(hotplugHeadroom({ cpus: 32, memoryBytes: GiB }).maxCpus, 64);
  });
  it('no more than the largest node has: a 2-CPU node gives a 1-vCPU VM room for 2, not 4', () => {
    assert.deepEqual(hotplugHeadroom({ cpus: 1, memoryBytes: 256 * MiB }, { cpus: 2, memoryBytes: 768 * MiB }), { maxCpus: 2, maxMemoryBytes: 768 * MiB, memorySlots: 16 });
  });
  it('never less than the boot size, even for a VM larger than every node (it waits Pending)', () => {
    assert.deepEqual(hotplugHeadroom({ cpus: 4, memoryBytes: 8 * GiB }, { cpus: 2, memoryBytes: GiB }), { maxCpus: 4, maxMemoryBytes: 8 * GiB, memorySlots: 16 });
  });
});
