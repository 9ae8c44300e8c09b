// The test guest the end-to-end tests boot (test/guest/build.sh): where it is and its checksum.
// Running the plugin and kubectl, polling and serving the image are test/support's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { berthCache } from '../support/cluster.js';

export const guestImage = join(berthCache(), 'guest/guest.qcow2');

export function guestSha256(): string {
  const file = `${guestImage}.sha256`;
  if (!existsSync(guestImage) || !existsSync(file)) throw new Error(`the test guest is missing (${guestImage}); run test/guest/build.sh`);
  return readFileSync(file, 'utf8').trim().split(/\s+/)[0]!;
}
