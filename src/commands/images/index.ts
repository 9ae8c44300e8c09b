import { BerthCommand } from '../../base-command.js';
import { noHeadersFlag, outputFlag } from '../../flags/output.js';
import type { Columns } from '../../output/format.js';
import { printer, tablePrintable } from '../../output/print.js';
import { firstError, formatBytes, nodeDetail, readySummary, statusSummary, type ImageRow } from '../../images/image-rows.js';
import { listImageRows } from '../../ops/list-images.js';

const columns: Columns<ImageRow> = {
  headers: ['name', 'status', 'ready', 'size', 'sha256'],
  wideHeaders: ['nodes', 'url', 'error'],
  row: (r) => [r.name, statusSummary(r), readySummary(r), formatBytes(r.entry?.size), r.entry ? r.entry.sha256.slice(0, 12) : '-'],
  wideRow: (r) => [nodeDetail(r), r.entry?.url ?? '-', firstError(r)],
  name: (r) => `image/${r.name}`,
};

export default class Images extends BerthCommand {
  static override summary = 'List the image catalog and which nodes have cached each image.';
  static override description = `The catalog (configmap berth-images in namespace berth-system) names base images by URL and sha256. The node agent on every node downloads them into its cache; STATUS and READY show how far each node got (READY counts nodes holding a verified copy out of nodes running the agent). VMs created with --image NAME start fastest on nodes where the image is ready.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> -o wide',
    '<%= config.bin %> <%= command.id %> -o json',
  ];

  static override flags = { output: outputFlag, 'no-headers': noHeadersFlag };

  async run(): Promise<ImageRow[]> {
    const { flags } = await this.parse(Images);
    const rows = await listImageRows(await this.cluster(flags));
    const object = (r: ImageRow) => ({ name: r.name, ...r.entry, ...(r.problem ? { problem: r.problem } : {}), nodes: r.nodes });
    const empty = 'No images in the catalog. Add one with: kubectl berth images add NAME --url URL --sha256 SHA256';
    printer(flags.output)(tablePrintable(rows, columns, object, { noHeaders: flags['no-headers'], empty }));
    return rows;
  }
}
