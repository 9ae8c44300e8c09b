// Which verdict to publish after a probe. One failed probe is not proof: a guest that timed out on
// a busy node, or a QEMU upgrade half done, would otherwise mark the node kvm=false (and stop its
// kvm device plugin) until the next probe, ten minutes later. So a verdict worse than the one
// published replaces it only when the next probe, run soon, confirms it; and any probe without
// KVM is tried again soon, so a node that failed its first probe is not left without KVM for long.
// Pure: the agent owns the timers.
import type { KvmVerdict } from './decide.js';

export interface ProbeHistory {
  /** What the node's labels say now (at start: what the previous agent published). */
  published?: Pick<KvmVerdict, 'kvm' | 'node'> & Partial<KvmVerdict>;
  /** Probes in a row, up to this one, that did not run a guest under KVM. */
  withoutKvm: number;
  /** Probes in a row, up to this one, whose verdict was worse than the published one. */
  worseInRow?: number;
}

export interface Settled {
  publish: KvmVerdict;
  history: ProbeHistory;
  /** Probe again after the short retry delay, not the normal interval. */
  retrySoon: boolean;
}

/** Probes in a row that must agree before a worse verdict is published, or before a node without KVM waits the normal interval. */
export const CONFIRM_AFTER = 2;

export function settleVerdict(history: ProbeHistory, probed: KvmVerdict): Settled {
  const withoutKvm = probed.kvm ? 0 : history.withoutKvm + 1;
  const before = history.published;
  const worse = before !== undefined && ((before.kvm && !probed.kvm) || (before.node && !probed.node));
  const worseInRow = worse ? (history.worseInRow ?? 0) + 1 : 0;
  if (worse && worseInRow < CONFIRM_AFTER && before) {
    const kept: KvmVerdict = {
      kvm: before.kvm,
      node: before.node,
      accel: before.accel ?? (before.kvm ? 'kvm' : before.node ? 'tcg' : 'none'),
      reason: `${before.reason ?? 'the last probe before this one succeeded'}; the latest probe did not (${probed.reason}), probing again before changing the label`,
    };
    return { publish: kept, history: { published: before, withoutKvm, worseInRow }, retrySoon: true };
  }
  return { publish: probed, history: { published: probed, withoutKvm, worseInRow: 0 }, retrySoon: !probed.kvm && withoutKvm < CONFIRM_AFTER };
}
