// Questions for what the user left out, asked only on a terminal; prompts go to stderr so stdout
// stays data. @inquirer/prompts is imported on first use so scripted runs never load it.
import { BerthError } from '../../shared/errors.js';
import { vmNameProblem } from '../core/names.js';
import { vncPasswordProblem } from '../core/vm-flags.js';

const context = { output: process.stderr };

/** True when a human can answer: stdin is a terminal. */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY);
}

function interrupted(error: unknown): never {
  if ((error as Error)?.name === 'ExitPromptError') throw new BerthError('INTERRUPTED', 'interrupted; nothing was changed');
  throw error;
}

export async function askVmName(): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input({ message: 'VM name', validate: (v: string) => vmNameProblem(v.trim()) ?? true }, context).then((v) => v.trim(), interrupted);
}

const OTHER_URL = '\u0000url';

/** Picks a catalog image, or asks for a URL when the catalog is empty or the user wants one. */
export async function askImage(catalogNames: string[]): Promise<string> {
  const { input, select } = await import('@inquirer/prompts');
  let choice = OTHER_URL;
  if (catalogNames.length > 0) {
    const choices = [...catalogNames.map((n) => ({ name: n, value: n })), { name: 'another image, by URL…', value: OTHER_URL }];
    choice = await select({ message: 'Image', choices }, context).catch(interrupted);
  }
  if (choice !== OTHER_URL) return choice;
  return input({ message: 'Image URL (qcow2)', validate: (v: string) => /^https?:\/\/\S+$/.test(v.trim()) || 'an http:// or https:// URL' }, context).then(
    (v) => v.trim(),
    interrupted,
  );
}

export async function askConfirm(message: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: false }, context).catch(interrupted);
}

/** The VNC password, typed without echo; asked twice, as passwd does, since no one sees it. */
export async function askVncPassword(): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  const first = await password({ message: 'VNC password', mask: '*', validate: (v: string) => vncPasswordProblem(v) ?? true }, context).catch(interrupted);
  await password({ message: 'VNC password again', mask: '*', validate: (v: string) => v === first || 'the two passwords differ' }, context).catch(interrupted);
  return first;
}
