// `kubectl berth --help` lists the commands by what the user wants to do (VM lifecycle, access,
// images and nodes, cluster setup, the plugin itself) instead of one alphabetical block.
import { Help } from '@oclif/core';
import { COMMAND_GROUPS, groupOf, orderInGroup, OTHER_GROUP } from './groups.js';

export default class BerthHelp extends Help {
  /** Top-level words (commands and topics) with their one-line summaries. */
  private topLevel(): Map<string, string> {
    const entries = new Map<string, string>();
    for (const topic of this.sortedTopics) {
      if (!topic.name.includes(':')) entries.set(topic.name, topic.description?.split('\n', 1)[0] ?? '');
    }
    for (const command of this.sortedCommands) {
      if (!command.id || command.id.includes(':') || command.aliases?.includes(command.id)) continue;
      const summary = command.summary ?? command.description?.split('\n', 1)[0] ?? '';
      entries.set(command.id, summary || entries.get(command.id) || '');
    }
    return entries;
  }

  override async showRootHelp(): Promise<void> {
    this.log(this.formatRoot());
    this.log('');
    const entries = this.topLevel();
    for (const title of [...COMMAND_GROUPS.map((g) => g.title), OTHER_GROUP]) {
      const rows = [...entries]
        .filter(([word]) => groupOf(word) === title)
        .sort(([a], [b]) => orderInGroup(a) - orderInGroup(b) || a.localeCompare(b))
        .map(([word, summary]) => [word, this.render(summary)] as [string, string]);
      if (rows.length === 0) continue;
      this.log(this.section(title.toUpperCase(), rows));
      this.log('');
    }
    this.log(`Use "${this.config.bin} <command> --help" for more about a command.`);
  }
}
