// The edge where access commands meet local programs: finding executables on PATH and running ssh,
// scp and VNC viewers through execa with argv arrays (never a shell string).
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { constants as os } from 'node:os';
import { delimiter, join } from 'node:path';
import { BerthError } from '../../shared/errors.js';
import type { ViewerSystem } from './viewer.js';

export function which(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function hostViewerSystem(): ViewerSystem {
  return {
    platform: process.platform,
    which: (command) => which(command),
    exists: (path) => existsSync(path),
    list: (dir) => {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
  };
}

/** The path of a required tool, or TOOL_MISSING with what to install. */
export function requireTool(command: string, install: string): string {
  const found = which(command);
  if (!found) throw new BerthError('TOOL_MISSING', `'${command}' was not found on PATH`, { hint: install });
  return found;
}

/**
 * Runs a program in the foreground with our terminal and returns its exit code. While it runs,
 * Ctrl-C belongs to it (the terminal sends SIGINT to both of us; ssh decides what it means), so we
 * ignore SIGINT until it exits.
 */
export async function runForeground(file: string, argv: readonly string[]): Promise<number> {
  const { execa } = await import('execa');
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const result = await execa(file, [...argv], { stdio: 'inherit', reject: false });
    if (result.exitCode !== undefined) return result.exitCode;
    const signal = result.signal ? os.signals[result.signal as NodeJS.Signals] : undefined;
    return signal ? 128 + signal : 255;
  } finally {
    process.off('SIGINT', ignore);
  }
}
