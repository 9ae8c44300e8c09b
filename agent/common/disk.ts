// Free space on the file system that holds the cache, as an unprivileged process may use it, and
// the file system's size (what the kubelet's eviction percentages are shares of).
import { statfs } from 'node:fs/promises';

export async function freeBytes(dir: string): Promise<number> {
  return (await diskSpace(dir)).free;
}

export async function diskSpace(dir: string): Promise<{ free: number; total: number }> {
  const s = await statfs(dir);
  return { free: Number(s.bavail) * Number(s.bsize), total: Number(s.blocks) * Number(s.bsize) };
}
