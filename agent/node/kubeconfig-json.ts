// Prints a kubeconfig file as JSON. The agent runs this as a short-lived child process when it
// runs outside a cluster, so the YAML parser (about 12 MB resident once loaded) never stays in the
// long-running agent, whose memory budget is spent on streaming images.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: kubeconfig-json.js KUBECONFIG_PATH\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(parse(readFileSync(path, 'utf8')) ?? {}));
