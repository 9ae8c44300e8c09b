import assert from 'node:assert/strict';
import { allVmsSelector, isBerthVm } from '../../../src/core/vm-labels.js';
import { benchVm } from '../../bench/ls-scale.js';

/** Does a Kubernetes equality selector "a=b,c=d" match these labels? */
function matches(selector: string, labels: Record<string, string>): boolean {
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return labels[key!] === value;
  });
}

describe('ls-scale bench objects', () => {
  const vm = benchVm('bench-vm-007', 't-bench-ls');

  it('are VMs to kubectl berth ls, and their pods are found by the same selector kubectl gets', () => {
    assert.equal(isBerthVm(vm.metadata!.labels), true);
    assert.equal(matches(allVmsSelector(), vm.metadata!.labels!), true);
    assert.equal(matches(allVmsSelector(), vm.spec!.template.metadata!.labels!), true);
  });

  it('select their own pods, and those pods never run anywhere', () => {
    const selector = vm.spec!.selector.matchLabels!;
    for (const [key, value] of Object.entries(selector)) assert.equal(vm.spec!.template.metadata!.labels![key], value);
    assert.equal(vm.spec!.replicas, 1);
    assert.equal(vm.spec!.template.spec!.schedulerName, 'berth-bench-never-scheduled');
    assert.equal(vm.spec!.volumeClaimTemplates, undefined, 'no PVCs: the pre-created test PVs stay free');
  });
});
