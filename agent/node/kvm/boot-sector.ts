// A 512-byte x86 boot sector that proves a guest really executes: the BIOS loads it at 0x7c00 in
// real mode, it writes one byte to QEMU's isa-debug-exit port, and QEMU exits with (byte << 1) | 1.
// Nothing else in the world makes QEMU exit with that status, so a match means the guest ran.

export const DEBUG_EXIT_PORT = 0xf4;
/** The byte the guest writes; QEMU then exits with (0x31 << 1) | 1 = 99. */
export const PROBE_BYTE = 0x31;
export const PROBE_EXIT_STATUS = (PROBE_BYTE << 1) | 1;

const CODE = [
  0xfa, //             cli                 no interrupts: nothing may wake the final hlt
  0xb0, PROBE_BYTE, // mov al, 0x31
  0xe6, DEBUG_EXIT_PORT, // out 0xf4, al     QEMU exits here
  0xf4, //             hlt                 only reached if the exit device is missing
  0xeb, 0xfd, //       jmp short -3        back to hlt, for ever
];

/** The boot sector: the code above, zero padding, and the 0x55 0xAA signature at 510. */
export function buildProbeBootSector(): Buffer {
  const sector = Buffer.alloc(512);
  Buffer.from(CODE).copy(sector, 0);
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

export type ProbeAccel = 'kvm' | 'tcg';

/** QEMU's argv for running the boot sector once, with no display, network or default devices. */
export function buildProbeQemuArgs(bootSectorPath: string, accel: ProbeAccel): string[] {
  return [
    '-accel', accel,
    '-machine', 'pc',
    '-m', '16',
    '-nodefaults',
    '-no-user-config',
    '-display', 'none',
    '-serial', 'none',
    '-monitor', 'none',
    '-no-reboot',
    '-device', `isa-debug-exit,iobase=0x${DEBUG_EXIT_PORT.toString(16)},iosize=0x04`,
    '-drive', `file=${bootSectorPath},format=raw,if=ide,index=0,media=disk`,
  ];
}
