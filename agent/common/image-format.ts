// What kind of image a file is, read from its own bytes: the catalog holds qcow2 disk images and
// ISO install media side by side under one kind of entry, so the format is checked where the file
// is used, never assumed from the name, the URL or the flag it came in by.
import { open } from 'node:fs/promises';

export type ImageFormat = 'qcow2' | 'iso9660' | 'unknown';

/** qcow2's magic, "QFI\xfb", at byte 0. */
const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);
/** ISO 9660's primary volume descriptor starts at sector 16 (byte 0x8000): type 1, then "CD001". */
const ISO9660_ID = Buffer.from('CD001', 'ascii');
const ISO9660_ID_OFFSET = 0x8001;

/** How many bytes from the start of a file sniffImageFormat needs. */
export const SNIFF_BYTES = ISO9660_ID_OFFSET + ISO9660_ID.length;

/** The format of a file from its first SNIFF_BYTES bytes (fewer for a short file). Pure. */
export function sniffImageFormat(head: Buffer): ImageFormat {
  if (head.subarray(0, QCOW2_MAGIC.length).equals(QCOW2_MAGIC)) return 'qcow2';
  if (head.subarray(ISO9660_ID_OFFSET, SNIFF_BYTES).equals(ISO9660_ID)) return 'iso9660';
  return 'unknown';
}

export async function fileImageFormat(path: string): Promise<ImageFormat> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    return sniffImageFormat(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/** How each format is named to a user, in messages that say a file is the wrong kind. */
export const FORMAT_NAMES: Record<ImageFormat, string> = {
  qcow2: 'a qcow2 disk image',
  iso9660: 'an ISO 9660 image (install media)',
  unknown: 'neither a qcow2 disk image nor an ISO 9660 image',
};
