// Where the repository's pieces are, for tests that run from dist/test/...: found from package.json
// (src/package-root.ts, as the plugin finds itself) rather than by counting '..' from each test
// file, so that a test can move to another folder without its paths breaking.
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';

/** The repository's root: package.json, bin/, manifests/, dist/. */
export const repo = packageRoot(import.meta.url);
/** The plugin as users run it (it starts the built bundle on Node 22). */
export const pluginBin = join(repo, 'bin', 'kubectl-berth');
/** The built node agent and launcher, as the DaemonSet and the VM pod run them. */
export const agentMain = join(repo, 'dist', 'agent', 'node', 'main.js');
export const launcherMain = join(repo, 'dist', 'agent', 'launcher', 'main.js');
