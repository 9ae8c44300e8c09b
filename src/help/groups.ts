// How `kubectl berth --help` groups the commands, by what the user wants to do. A command that is
// missing here still shows, under "Other commands" (and a test names it so it gets a home).

export interface CommandGroup {
  title: string;
  /** First words of command ids (a topic covers its subcommands). */
  commands: string[];
}

export const COMMAND_GROUPS: CommandGroup[] = [
  { title: 'VM lifecycle', commands: ['create', 'ls', 'start', 'stop', 'restart', 'resize', 'purge', 'import'] },
  { title: 'Access', commands: ['ssh', 'scp', 'console', 'vnc', 'port-forward'] },
  { title: 'Images and nodes', commands: ['images', 'nodes'] },
  { title: 'Cluster setup', commands: ['install', 'uninstall'] },
  { title: 'Plugin', commands: ['completion', 'version'] },
];

export const OTHER_GROUP = 'Other commands';

/** The group title of a top-level word (a command or a topic). */
export function groupOf(word: string): string {
  return COMMAND_GROUPS.find((g) => g.commands.includes(word))?.title ?? OTHER_GROUP;
}

/** Sort key within a group: the order the group lists its commands in, others after. */
export function orderInGroup(word: string): number {
  const index = COMMAND_GROUPS.find((g) => g.commands.includes(word))?.commands.indexOf(word);
  return index === undefined ? Number.MAX_SAFE_INTEGER : index;
}
