import assert from 'node:assert/strict';
import { Cleanup } from '../../../../agent/launcher/cleanup.js';
import { stderrLog } from '../../../../agent/launcher/log.js';

describe('launcher cleanup', () => {
  it('undoes newest first and carries on past a failing step', async () => {
    const order: string[] = [];
    const lines: string[] = [];
    const cleanup = new Cleanup(stderrLog((line) => lines.push(line)));
    cleanup.add('bridge', async () => void order.push('bridge'));
    cleanup.add('iptables rules', async () => {
      throw new Error('xtables lock');
    });
    cleanup.add('dnsmasq', async () => void order.push('dnsmasq'));
    assert.deepEqual(await cleanup.run(), { undone: ['dnsmasq', 'bridge'], failed: ['iptables rules'] });
    assert.deepEqual(order, ['dnsmasq', 'bridge']);
    assert.deepEqual(lines, ['berth-launcher: cleanup: could not undo iptables rules: xtables lock\n']);
  });

  it('runs each step once', async () => {
    let runs = 0;
    const cleanup = new Cleanup(() => undefined);
    cleanup.add('tap', async () => void runs++);
    await cleanup.run();
    assert.deepEqual(await cleanup.run(), { undone: [], failed: [] });
    assert.equal(runs, 1);
  });
});
