import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { changedLine, changedOutputFlag } from '../../flags/output.js';
import { applyCatalogChange, readCatalogData } from '../../images/catalog-api.js';
import { planRemove } from '../../images/catalog-edit.js';

export default class ImagesRm extends BerthCommand {
  static override summary = 'Remove an image from the catalog; agents delete their copies once no VM uses them.';
  static override description = `Removes NAME from the image catalog. Each node agent then deletes its cached copy, except on nodes where a VM still runs on it: those copies stay until the VM is gone. Existing VMs keep working either way.`;

  static override examples = ['<%= config.bin %> <%= command.id %> cirros', '<%= config.bin %> <%= command.id %> old-image --ignore-not-found'];

  static override args = { name: Args.string({ description: 'Image name to remove.', required: true }) };

  static override flags = {
    'ignore-not-found': Flags.boolean({ summary: 'Succeed when the image is not in the catalog.' }),
    output: changedOutputFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ImagesRm);
    const conn = await this.cluster(flags);
    const change = planRemove(await readCatalogData(conn), args.name, flags['ignore-not-found']);
    await applyCatalogChange(conn, change);
    this.note(change.kind === 'none' ? `image ${args.name} was not in the catalog` : `image ${args.name} removed from the catalog`);
    process.stdout.write(changedLine(`image/${args.name}`, change.kind === 'none' ? 'unchanged' : 'removed', flags.output));
  }
}
