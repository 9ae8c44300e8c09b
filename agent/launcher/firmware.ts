// UEFI for a VM: OVMF from Debian's ovmf package in the image, and the VM's own variable store
// (NVRAM: boot entries, Secure Boot keys, the guest's variables) on its disk volume, beside the pet
// disk, so it survives restarts, stop/start and node moves as the disk does. The store is copied
// from OVMF's template on the first boot only; afterwards it is the VM's and is never reset.
import { constants } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Files, type Firmware } from '../../shared/contract.js';
import type { Log } from './log.js';
import type { UefiPlan } from './qemu-args.js';

/**
 * Debian 12's ovmf (2022.11): the 4 MiB builds, whose variable store has room for Secure Boot's
 * keys and databases. The secboot code needs SMM (q35); OVMF_VARS_4M.ms.fd is the template with
 * Microsoft's keys enrolled and Secure Boot on, so Windows and shim-signed distributions boot.
 */
export const OVMF_DIR = '/usr/share/OVMF';
export const OVMF = {
  uefi: { code: 'OVMF_CODE_4M.fd', varsTemplate: 'OVMF_VARS_4M.fd' },
  'uefi-secure-boot': { code: 'OVMF_CODE_4M.secboot.fd', varsTemplate: 'OVMF_VARS_4M.ms.fd' },
} as const;

export type VarsStoreState = 'created' | 'kept-written' | 'kept-as-template';

/**
 * What the launcher found: no store yet (it makes one), or one from an earlier boot, which the
 * firmware has written to (it records boot entries and a monotonic counter on every boot) or not
 * (no boot has got that far). Pure.
 */
export function varsStoreState(current: Buffer | undefined, template: Buffer): VarsStoreState {
  if (current === undefined) return 'created';
  return current.equals(template) ? 'kept-as-template' : 'kept-written';
}

/** The UEFI plan of a VM, making its variable store on the first boot; undefined for SeaBIOS. */
export async function prepareUefi(firmware: Firmware, diskDir: string, log: Log, ovmfDir = OVMF_DIR): Promise<UefiPlan | undefined> {
  if (firmware === 'bios') return undefined;
  const files = OVMF[firmware];
  const template = join(ovmfDir, files.varsTemplate);
  const vars = join(diskDir, Files.uefiVars);
  const templateBytes = await readFile(template);
  const current = await readFile(vars).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const state = varsStoreState(current, templateBytes);
  // COPYFILE_EXCL: a store that appeared meanwhile is never overwritten.
  if (state === 'created') await copyFile(template, vars, constants.COPYFILE_EXCL);
  const said = {
    created: `UEFI variable store ${vars} created from ${template}`,
    'kept-written': `UEFI variable store ${vars} kept from an earlier boot (the firmware has written to it)`,
    'kept-as-template': `UEFI variable store ${vars} kept from an earlier boot (still as the template)`,
  }[state];
  log('firmware', `${firmware === 'uefi' ? 'UEFI' : 'UEFI with Secure Boot'} (${files.code}); ${said}`);
  return { code: join(ovmfDir, files.code), vars, secureBoot: firmware === 'uefi-secure-boot' };
}
