// What `create` reads from the user's machine: SSH public keys and the user-data file.
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import type { SshKeySource } from '../core/vm-flags.js';
import type { KeyText } from '../core/vm-spec.js';

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** Why a file could not be read, as the end of a sentence about it. */
export function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'is not readable' : (error as Error).message;
}

async function readText(flag: string, path: string, home: string): Promise<KeyText> {
  const full = resolve(expandHome(path, home));
  try {
    return { source: path, text: await readFile(full, 'utf8') };
  } catch (error) {
    throw new BerthError('INVALID_VALUE', `--${flag}: file '${path}' ${unreadable(error)}`, { hint: 'pass the path of a readable file' });
  }
}

export interface LocalKeys {
  keys: KeyText[];
  /** The files picked up by default, for a note. */
  defaults: string[];
}

/** The SSH keys to install: given ones, or every ~/.ssh/*.pub. */
export async function readSshKeys(sources: SshKeySource[] | 'default', home = homedir()): Promise<LocalKeys> {
  if (sources !== 'default') {
    const keys: KeyText[] = [];
    for (const s of sources) keys.push(s.kind === 'text' ? { source: '--ssh-key', text: s.text } : await readText('ssh-key', s.path, home));
    return { keys, defaults: [] };
  }
  const dir = join(home, '.ssh');
  const names = await readdir(dir).catch(() => [] as string[]);
  const files = names.filter((n) => n.endsWith('.pub')).sort().map((n) => join(dir, n));
  const keys: KeyText[] = [];
  for (const file of files) keys.push({ source: file, text: await readFile(file, 'utf8') });
  return { keys, defaults: files };
}

export async function readUserData(path: string | undefined, home = homedir()): Promise<KeyText | undefined> {
  return path === undefined ? undefined : readText('user-data', path, home);
}
