import { Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { outputFlagFor } from '../flags/output.js';
import { reportVersion } from '../ops/report-version.js';
import { printer } from '../output/print.js';
import type { VersionReport } from '../version/report.js';
import { supportedRange } from '../version/server-support.js';

/** Without --request-timeout, `version` waits this long for the cluster before it reports the client alone. */
const VERSION_REQUEST_TIMEOUT = '5s';

export default class Version extends BerthCommand {
  static override summary = 'Print the plugin version and the node agent version on each node.';
  static override description = `The plugin version is always printed. When the cluster answers, the version of the berth agent on each node (from the node annotation the agent writes) is printed too, with a warning on stderr when it differs from the plugin: plugin and agents are released together.

The API server's Kubernetes version is printed as well; kubectl-berth supports ${supportedRange()}, and an older server gets a warning on stderr (a newer one, a note).

An unreachable cluster is not an error: the client version is printed with a note, and the exit code is 0, as with kubectl version.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --client',
    '<%= config.bin %> <%= command.id %> -o json',
    '<%= config.bin %> <%= command.id %> --context staging -o yaml',
  ];
  static override flags = {
    output: outputFlagFor(['json', 'yaml'], 'text'),
    client: Flags.boolean({ summary: 'Print only the plugin version; do not contact the cluster.' }),
  };

  async run(): Promise<VersionReport> {
    const { flags } = await this.parse(Version);
    const timeout = flags['request-timeout'] === '0' ? VERSION_REQUEST_TIMEOUT : flags['request-timeout'];
    return reportVersion(
      { clientVersion: this.config.version, clientOnly: flags.client, bin: this.config.bin },
      { connect: () => this.cluster({ ...flags, 'request-timeout': timeout }), note: (m) => this.note(m), print: printer(flags.output) },
    );
  }
}
