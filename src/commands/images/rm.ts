import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { changedOutputFlag } from '../../flags/output.js';
import type { CatalogChange } from '../../images/catalog-edit.js';
import { removeImage } from '../../ops/remove-image.js';
import { printer } from '../../output/print.js';

export default class ImagesRm extends BerthCommand {
  static override summary = 'Remove an image from the catalog; agents delete their copies once no VM uses them.';
  static override description = `Removes NAME from the image catalog. Each node agent then deletes its cached copy, except on nodes where a VM still runs on it: those copies stay until the VM is gone. Existing VMs keep working either way.`;

  static override examples = ['<%= config.bin %> <%= command.id %> cirros', '<%= config.bin %> <%= command.id %> old-image --ignore-not-found'];

  static override args = { name: Args.string({ description: 'Image name to remove.', required: true }) };

  static override flags = {
    'ignore-not-found': Flags.boolean({ summary: 'Succeed when the image is not in the catalog.' }),
    output: changedOutputFlag,
  };

  async run(): Promise<CatalogChange> {
    const { args, flags } = await this.parse(ImagesRm);
    return removeImage(args.name, flags['ignore-not-found'], { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
