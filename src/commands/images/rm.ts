import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { changedOutputFlag } from '../../flags/output.js';
import type { CatalogChange } from '../../images/catalog-edit.js';
import { removeImage } from '../../ops/remove-image.js';
import { printer } from '../../output/print.js';

export default class ImagesRm extends BerthCommand {
  static override summary = 'Remove an image from the catalog; agents delete their copies once no VM uses them.';
  static override description = `Removes NAME from the image catalog: new VMs can no longer use the name. Each node agent deletes its cached copy once no VM in the cluster uses the image (a stopped VM counts). Existing VMs keep their base: a VM whose pod starts on a node without it fetches it from the URL recorded in the VM when it was created, checks its sha256 and keeps the copy on its own disk volume. That URL must still serve the image.`;

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
