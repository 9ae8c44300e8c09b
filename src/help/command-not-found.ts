// oclif's command_not_found hook: an unknown command is a usage error (exit 2) that names the
// closest real command, as kubectl does ("Did you mean this?"); `help COMMAND` shows its help.
// oclif is loaded already when a hook runs, so a static import costs nothing (and a bundler keeps
// what a dynamic import would name only at run time).
import { loadHelpClass, type Hook } from '@oclif/core';
import { usageError } from '../../shared/errors.js';
import { closest } from './suggest.js';

/** Pure: the message and hint for an unknown command typed as `words` (oclif id split on ':'). */
export function unknownCommand(words: string[], commandIds: string[], bin: string): { message: string; hint: string } {
  const known = commandIds.map((id) => id.split(':'));
  let depth = 0;
  while (depth < words.length - 1 && known.some((id) => id.length > depth + 1 && id.slice(0, depth + 1).join(' ') === words.slice(0, depth + 1).join(' '))) depth++;
  const parent = words.slice(0, depth);
  const typed = words[depth] ?? '';
  const hint = `run '${[bin, ...parent, '--help'].join(' ')}' to see the commands`;
  if (typed.startsWith('-')) return { message: `unknown flag "${typed}" for "${[bin, ...parent].join(' ')}"`, hint };
  const siblings = known.filter((id) => id.length > depth && id.slice(0, depth).join(' ') === parent.join(' ')).map((id) => id[depth]);
  const guesses = closest(typed, siblings).map((s) => `"${[bin, ...parent, s].join(' ')}"`);
  const message = `unknown command "${typed}" for "${[bin, ...parent].join(' ')}"`;
  if (guesses.length === 0) return { message, hint };
  return { message: `${message}. Did you mean ${guesses.join(' or ')}?`, hint };
}

const hook: Hook<'command_not_found'> = async function (options) {
  const words = options.id.split(':');
  // `kubectl berth help [COMMAND…]`, as kubectl has it.
  const ids = options.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  if (words[0] === 'help') {
    const subject = [...words.slice(1), ...(options.argv ?? [])].filter((w) => !w.startsWith('-'));
    const id = subject.join(':');
    if (subject.length === 0 || options.config.findCommand(id) || options.config.findTopic(id)) {
      const Help = await loadHelpClass(options.config);
      await new Help(options.config, options.config.pjson.oclif.helpOptions).showHelp(subject);
      return;
    }
    words.splice(0, words.length, ...subject);
  }
  const { message, hint } = unknownCommand(words, ids, options.config.bin);
  throw usageError(message, hint);
};

export default hook;
