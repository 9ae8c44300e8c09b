import { Args, Flags } from '@oclif/core';
import { BerthCommand } from '../../base-command.js';
import { changedOutputFlag } from '../../flags/output.js';
import type { CatalogChange } from '../../images/catalog-edit.js';
import { addImage } from '../../ops/add-image.js';
import { printer } from '../../output/print.js';

export default class ImagesAdd extends BerthCommand {
  static override summary = 'Add a base image to the catalog; every node agent starts caching it.';
  static override description = `Adds NAME to the image catalog (configmap berth-images in namespace berth-system, created if missing). The node agents download the image, check its sha256 and keep it under that checksum; \`kubectl berth images\` shows their progress. Give --size when you know it, so agents can check free disk before they start.

NAME is a lower-case DNS label (letters, digits, '-' and '.'); VMs refer to it with --image NAME. An install ISO goes into the catalog the same way and is attached with create --cdrom NAME; the launcher tells the two apart by the file's bytes.`;

  static override examples = [
    {
      description: 'Add an image, with the checksum its publisher lists:',
      command: '<%= config.bin %> <%= command.id %> cirros --url https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img --sha256 "$SHA256"',
    },
    {
      description: 'Give the size too, so agents check free disk before they start:',
      command: '<%= config.bin %> <%= command.id %> ubuntu-22.04 --url https://images.example.com/jammy.qcow2 --sha256 "$SHA256" --size 662896640',
    },
  ];

  static override args = { name: Args.string({ description: 'Image name, used as --image NAME.', required: true }) };

  static override flags = {
    url: Flags.string({ summary: 'http(s) URL of the qcow2 image (or of an install ISO, for create --cdrom).', required: true }),
    sha256: Flags.string({ summary: 'Expected sha256 of the file (64 hex digits).', required: true }),
    size: Flags.integer({ summary: 'Size of the file in bytes, when known.', min: 1 }),
    force: Flags.boolean({ summary: 'Replace an existing entry of the same name.' }),
    output: changedOutputFlag,
  };

  async run(): Promise<CatalogChange> {
    const { args, flags } = await this.parse(ImagesAdd);
    const request = { name: args.name, url: flags.url, sha256: flags.sha256, size: flags.size, force: flags.force };
    return addImage(request, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
