// Free space on the file system that holds the cache, as an unprivileged process may use it.
import { statfs } from 'node:fs/promises';

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}
