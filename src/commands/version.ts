import { Command } from '@oclif/core';

export default class Version extends Command {
  static override summary = 'Print the version of kubectl berth.';
  static override examples = ['<%= config.bin %> <%= command.id %>'];

  async run(): Promise<void> {
    process.stdout.write(`kubectl-berth ${this.config.version}\n`);
  }
}
