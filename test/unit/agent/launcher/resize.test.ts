// The launcher's side of resize: the size files read back with the plugin's formula, the QMP
// commands for CPU and DIMM hotplug, and the order of things (never more memory than the
// container's limit allows; a shrink refused with one line the plugin reads).
import assert from 'node:assert/strict';
import { cpuPlugCommands, GuestResizer, memoryPlugCommands, parseCgroupMemoryLimit, parsePodSize, type HotpluggableCpu, type ResizeIo } from '../../../../agent/launcher/resize.js';
import type { QmpReply } from '../../../../agent/launcher/qmp.js';
import { GiB, MiB } from '../../../../shared/quantity.js';
import { hotplugHeadroom, podMemoryBytes } from '../../../../shared/vm-size.js';

const slot = (socket: number, used = false): HotpluggableCpu => ({
  type: 'qemu64-x86_64-cpu',
  'vcpus-count': 1,
  props: { 'socket-id': socket, 'core-id': 0, 'thread-id': 0 },
  ...(used ? { 'qom-path': `/machine/unattached/device[${socket}]` } : {}),
});

describe('launcher resize', () => {
  it('reads the pod size files with the plugin\'s formula (TCG adds 128Mi more)', () => {
    assert.deepEqual(parsePodSize('200\n', String(podMemoryBytes({ memoryBytes: 2 * GiB, accel: 'tcg' }) / MiB), 'tcg'), { size: { cpus: 2, memoryBytes: 2 * GiB } });
    assert.deepEqual(parsePodSize('100', '1152', 'kvm'), { size: { cpus: 1, memoryBytes: GiB } });
    assert.match(parsePodSize('150', '1152', 'kvm').problem!, /not a size kubectl berth gives/);
    assert.match(parsePodSize('x', '1152', 'kvm').problem!, /not numbers/);
  });

  it('plugs vCPUs into the lowest free slots, each with its topology', () => {
    assert.deepEqual(cpuPlugCommands([slot(3), slot(0, true), slot(1), slot(2)], 2), [
      { execute: 'device_add', arguments: { driver: 'qemu64-x86_64-cpu', id: 'vcpu-1-0-0', 'socket-id': 1, 'core-id': 0, 'thread-id': 0 } },
      { execute: 'device_add', arguments: { driver: 'qemu64-x86_64-cpu', id: 'vcpu-2-0-0', 'socket-id': 2, 'core-id': 0, 'thread-id': 0 } },
    ]);
    assert.equal(cpuPlugCommands([slot(0, true), slot(1)], 2), undefined);
  });

  it('adds memory as a backend and a pc-dimm on it', () => {
    assert.deepEqual(memoryPlugCommands(1, GiB), [
      { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'mem-hotplug1', size: GiB } },
      { execute: 'device_add', arguments: { driver: 'pc-dimm', id: 'dimm-hotplug1', memdev: 'mem-hotplug1' } },
    ]);
  });

  it('reads cgroup v1 and v2 memory limits; no limit is undefined', () => {
    assert.equal(parseCgroupMemoryLimit('419430400\n'), 419430400);
    assert.equal(parseCgroupMemoryLimit('max\n'), undefined);
    assert.equal(parseCgroupMemoryLimit('9223372036854771712\n'), undefined);
  });

  function fakeIo(files: { cpuMillis: string; memoryMiB: string }, limit: { bytes?: number }) {
    const lines: string[] = [];
    const executed: string[] = [];
    const io: ResizeIo = {
      readPodSize: async () => files,
      memoryLimit: async () => limit.bytes,
      async execute(command, args): Promise<QmpReply> {
        executed.push(`${command} ${JSON.stringify(args ?? {})}`);
        if (command === 'query-hotpluggable-cpus') return { return: [slot(0, true), slot(1), slot(2), slot(3)] };
        return { return: {} };
      },
      log: (step, message) => lines.push(`${step}: ${message}`),
    };
    return { io, lines, executed };
  }

  it('waits for the container\'s memory limit, then hotplugs and says so once', async () => {
    const files = { cpuMillis: '100', memoryMiB: '1280' };
    const limit: { bytes?: number } = { bytes: 1280 * MiB };
    const { io, lines, executed } = fakeIo(files, limit);
    const resizer = new GuestResizer(io, { boot: { cpus: 1, memoryBytes: GiB }, room: hotplugHeadroom({ cpus: 1, memoryBytes: GiB }), accel: 'tcg', vmName: 'web' });
    await resizer.check();
    assert.deepEqual(lines, [], 'the boot size is no news');
    files.cpuMillis = '300';
    files.memoryMiB = String(2048 + 256);
    await resizer.check();
    assert.equal(executed.length, 0, 'nothing is plugged before the kubelet raised the limit');
    assert.match(lines.join('\n'), /waiting until the container's memory limit \(1280 MiB\) is raised to 2304 MiB/);
    limit.bytes = 2304 * MiB;
    await resizer.check();
    await resizer.check();
    assert.equal(executed.filter((e) => e.startsWith('device_add {"driver":"qemu64')).length, 2);
    assert.equal(executed.filter((e) => e.startsWith('device_add {"driver":"pc-dimm"')).length, 1);
    assert.match(executed.find((e) => e.startsWith('object-add'))!, /"size":1073741824/);
    assert.deepEqual(lines.filter((l: string) => l.includes('resized')), ['resize: resized to 3 vCPUs, 2048 MiB']);
    assert.deepEqual(resizer.size(), { cpus: 3, memoryBytes: 2 * GiB });
  });

  it('refuses a shrink with the reason and the --restart hint, touching nothing', async () => {
    const { io, lines, executed } = fakeIo({ cpuMillis: '100', memoryMiB: String(512 + 256) }, {});
    await new GuestResizer(io, { boot: { cpus: 1, memoryBytes: GiB }, room: hotplugHeadroom({ cpus: 1, memoryBytes: GiB }), accel: 'tcg', vmName: 'web' }).check();
    assert.equal(executed.length, 0);
    assert.match(lines[0], /^resize: error: 1 vCPUs, 512 MiB: less memory .* needs a restart/);
    assert.match(lines[1], /kubectl berth resize web --restart/);
  });

  it('holds to the room QEMU was started with (a node smaller than 4x), not the ratio', async () => {
    const { io, lines, executed } = fakeIo({ cpuMillis: '300', memoryMiB: String(1024 + 256) }, {});
    const boot = { cpus: 1, memoryBytes: GiB };
    await new GuestResizer(io, { boot, room: hotplugHeadroom(boot, { cpus: 2 }), accel: 'tcg', vmName: 'web' }).check();
    assert.equal(executed.length, 0);
    assert.match(lines[0], /^resize: error: 3 vCPUs, 1024 MiB: 3 vCPUs exceed the 2 this VM was started with room for/);
  });
});
