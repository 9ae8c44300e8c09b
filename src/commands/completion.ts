import { join } from 'node:path';
import { Args, Command } from '@oclif/core';
import { completionScript, SHELLS, type Shell } from '../completion/scripts.js';
import { printer } from '../output/print.js';

export default class Completion extends Command {
  static override summary = 'Print a shell completion script for kubectl-berth.';
  static override description = `Through kubectl (1.26 and newer), \`kubectl berth <TAB>\` completes once kubectl's own completion is loaded and the kubectl_complete-berth executable that ships with the plugin is on your PATH: npm installs it next to kubectl-berth; with krew, link it into ~/.krew/bin (krew cannot install it yet).

The script printed here is for running kubectl-berth directly. It asks the same kubectl_complete-berth for commands, flags, VM names, catalog images and node names.`;
  static override examples = [
    {
      description: 'Complete kubectl-berth in the current bash shell:',
      command: 'source <(<%= config.bin %> <%= command.id %> bash)',
    },
    {
      description: 'Install zsh completion for every new shell:',
      command: '<%= config.bin %> <%= command.id %> zsh > "${fpath[1]}/_kubectl-berth"',
    },
    {
      description: 'Load fish completion:',
      command: '<%= config.bin %> <%= command.id %> fish | source',
    },
  ];
  static override args = {
    shell: Args.string({ description: 'The shell to print the script for.', options: [...SHELLS], required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    printer(undefined)({ text: () => completionScript(args.shell as Shell, join(this.config.root, 'bin', 'kubectl_complete-berth')) });
  }
}
