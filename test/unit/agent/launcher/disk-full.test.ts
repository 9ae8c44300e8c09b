import assert from 'node:assert/strict';
import { DiskFullWatch, pauseReason, RESUME_FREE_BYTES } from '../../../../agent/launcher/disk-full.js';

describe('launcher disk-full: a paused guest is reported and resumed when its volume has room', () => {
  it("names a full volume from QEMU's BLOCK_IO_ERROR, and only when QEMU stopped the guest", () => {
    assert.equal(
      pauseReason('BLOCK_IO_ERROR', { device: 'disk0', operation: 'write', action: 'stop', nospace: true, reason: 'No space left on device' }),
      "the VM's disk volume is full (write on disk0: No space left on device)",
    );
    assert.equal(pauseReason('BLOCK_IO_ERROR', { device: 'disk0', operation: 'read', action: 'stop', reason: 'Input/output error' }), 'an I/O error on disk0 (read: Input/output error)');
    assert.equal(pauseReason('BLOCK_IO_ERROR', { device: 'disk0', action: 'report', nospace: true }), undefined);
    assert.equal(pauseReason('STOP', undefined), undefined);
  });

  it('logs error and hint lines, waits for room, then resumes once', async () => {
    const lines: string[] = [];
    const free = [0, RESUME_FREE_BYTES - 1, RESUME_FREE_BYTES];
    let resumed = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const watch = new DiskFullWatch(
      {
        freeBytes: async () => free.shift() ?? RESUME_FREE_BYTES,
        resume: async () => {
          resumed += 1;
          return undefined;
        },
        sleep: async () => undefined,
        log: (tag, message) => {
          lines.push(`${tag}: ${message}`);
          if (/runs again/.test(message)) done();
        },
      },
      'grow the claim',
      () => false,
    );
    const event = { device: 'disk0', operation: 'write', action: 'stop', nospace: true, reason: 'No space left on device' };
    watch.onEvent('BLOCK_IO_ERROR', event);
    watch.onEvent('BLOCK_IO_ERROR', event); // QEMU reports each failed request: one watch is enough
    await finished;
    assert.equal(resumed, 1);
    assert.equal(lines.filter((l) => /error:/.test(l)).length, 1, 'reported once');
    assert.deepEqual(lines.slice(0, 2), ["disk: error: the guest is paused: the VM's disk volume is full (write on disk0: No space left on device)", 'disk: hint: grow the claim']);
    assert.match(lines.at(-1)!, /^disk: the volume has 32 MiB free again: the guest runs again$/);
  });

  it('does not wait for room after another I/O error: no amount of space fixes it', async () => {
    let asked = 0;
    const watch = new DiskFullWatch({ freeBytes: async () => (asked += 1), resume: async () => undefined, sleep: async () => undefined, log: () => undefined }, 'h', () => false);
    watch.onEvent('BLOCK_IO_ERROR', { device: 'disk0', action: 'stop', reason: 'Input/output error' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(asked, 0);
  });

  it('a data disk\'s pause watches its own volume and names its own claim', async () => {
    const asked: string[] = [];
    const lines: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const watch = new DiskFullWatch(
      {
        freeBytes: async (drive) => (asked.push(drive), RESUME_FREE_BYTES),
        resume: async () => undefined,
        sleep: async () => undefined,
        log: (tag, message) => {
          lines.push(message);
          if (/runs again/.test(message)) done();
        },
      },
      (drive) => `grow the claim of ${drive}`,
      () => false,
    );
    watch.onEvent('BLOCK_IO_ERROR', { device: 'data-logs', operation: 'write', action: 'stop', nospace: true });
    await finished;
    assert.deepEqual(asked, ['data-logs']);
    assert.equal(lines[1], 'hint: grow the claim of data-logs');
  });
});
