import assert from 'node:assert/strict';
import type { KvmVerdict } from '../../../../../agent/node/kvm/decide.js';
import { settleVerdict, type ProbeHistory } from '../../../../../agent/node/kvm/settle.js';

const kvm: KvmVerdict = { kvm: true, node: true, accel: 'kvm', reason: 'a test guest ran under KVM' };
const tcg: KvmVerdict = { kvm: false, node: true, accel: 'tcg', reason: 'a test guest failed under KVM: timed out after 10 s; TCG works' };
const none: KvmVerdict = { kvm: false, node: false, accel: 'none', reason: 'qemu not found' };

function run(start: ProbeHistory, probes: KvmVerdict[]) {
  let history = start;
  return probes.map((probed) => {
    const s = settleVerdict(history, probed);
    history = s.history;
    return [s.publish.kvm, s.publish.node, s.retrySoon];
  });
}

describe('settleVerdict: one failed KVM probe does not flip the node', () => {
  it('keeps kvm=true through one failed probe, probes again soon, and stays true when that one succeeds', () => {
    assert.deepEqual(run({ withoutKvm: 0 }, [kvm, tcg, kvm]), [[true, true, false], [true, true, true], [true, true, false]]);
  });
  it('flips to kvm=false only when the next probe confirms it, then probes at the normal interval', () => {
    assert.deepEqual(run({ withoutKvm: 0 }, [kvm, tcg, tcg, tcg]), [[true, true, false], [true, true, true], [false, true, false], [false, true, false]]);
  });
  it('says why it keeps the label', () => {
    const s = settleVerdict({ published: kvm, withoutKvm: 0 }, tcg);
    assert.equal(s.publish.reason, `a test guest ran under KVM; the latest probe did not (${tcg.reason}), probing again before changing the label`);
  });
  it('trusts what the previous agent published at start (a node labelled kvm=true before a restart)', () => {
    assert.deepEqual(run({ published: { kvm: true, node: true }, withoutKvm: 0 }, [tcg, kvm]), [[true, true, true], [true, true, false]]);
  });
  it('publishes a first failed probe at once, with nothing better to keep, but probes again soon', () => {
    assert.deepEqual(run({ withoutKvm: 0 }, [tcg, kvm]), [[false, true, true], [true, true, false]]);
  });
  it('treats losing TCG the same way', () => {
    assert.deepEqual(run({ published: tcg, withoutKvm: 2 }, [none, none]), [[false, true, true], [false, false, false]]);
  });
  it('on a node without KVM: one early retry, then the normal interval', () => {
    assert.deepEqual(run({ withoutKvm: 0 }, [tcg, tcg, tcg]), [[false, true, true], [false, true, false], [false, true, false]]);
  });
});
