// What `create` reads from the user's machine: SSH public keys, the user-data file and the VNC
// password (from a file or stdin; the terminal prompt is in prompts.ts).
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import { text as streamText } from 'node:stream/consumers';
import { checkVncPassword, type SshKeySource, type VncPasswordSource } from '../core/vm-flags.js';
import type { KeyText, UserDataFile } from '../core/vm-spec.js';

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** Why a file could not be read, as the end of a sentence about it. */
export function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'is not readable' : (error as Error).message;
}

async function readText(flag: string, path: string, home: string): Promise<KeyText> {
  return { source: path, text: (await readBytes(flag, path, home)).toString('utf8') };
}

async function readBytes(flag: string, path: string, home: string): Promise<Buffer> {
  const full = resolve(expandHome(path, home));
  try {
    return await readFile(full);
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

/** The --user-data file: as text when it is UTF-8, else as bytes (gzip), which are kept exact. */
export async function readUserData(path: string | undefined, home = homedir()): Promise<UserDataFile | undefined> {
  if (path === undefined) return undefined;
  const bytes = await readBytes('user-data', path, home);
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { source: path, text } : { source: path, bytes };
}

/** The VNC password from --vnc-password-file FILE or - (stdin), checked; prompts are asked elsewhere. */
export async function readVncPassword(source: Exclude<VncPasswordSource, { kind: 'prompt' }>, home = homedir()): Promise<string> {
  const text = source.kind === 'stdin' ? await streamText(process.stdin) : (await readText('vnc-password-file', source.path, home)).text;
  return checkVncPassword(text, source);
}
