// What the build under test is, for the notes of cli-start and ls-scale: which start-up measures it
// has (bundle, oclif manifest, compile cache, pre-rendered root help) and how big the plugin is as
// installed. The install is what runs the plugin: bin/, the bundle, the pre-rendered help, the
// manifests `install` applies, package.json and the oclif manifest. The bundle needs no
// node_modules at run time (test/unit/src/build/bundle.test.ts runs it from a copy without any).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildFacts {
  bundled: boolean;
  manifest: boolean;
  compileCache: boolean;
  prerenderedHelp: boolean;
  /** Every command's --help rendered at build time too, not only the root's. */
  prerenderedCommandHelp: boolean;
}

/** Which start-up measures the build has, so the advice in BENCHMARKS.md stays true. */
export function buildFacts(root: string): BuildFacts {
  const run = existsSync(join(root, 'bin', 'run.js')) ? readFileSync(join(root, 'bin', 'run.js'), 'utf8') : '';
  return {
    bundled: existsSync(join(root, 'dist', 'plugin', 'berth.js')),
    manifest: existsSync(join(root, 'oclif.manifest.json')),
    compileCache: run.includes('enableCompileCache'),
    prerenderedHelp: existsSync(join(root, 'dist', 'help', 'root.txt')),
    prerenderedCommandHelp: existsSync(join(root, 'dist', 'help', 'commands', 'ls.txt')),
  };
}

/** Paths of the installed plugin, relative to the package root (what manifests/krew/package.sh ships). */
export const INSTALLED = ['bin', 'dist/plugin', 'dist/help', 'manifests', 'package.json', 'oclif.manifest.json', 'README.md'];

function bytesUnder(path: string, skip: (name: string) => boolean): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return skip(path) ? 0 : stat.size;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name), skip), 0);
}

export interface PluginSize {
  /** The bundle's JavaScript files, all of them. */
  bundleBytes: number;
  bundleFiles: number;
  /** The bundle's JavaScript that a start of berth.js loads before any lazy chunk. */
  startupBytes: number;
  /** The largest lazy chunk, and what it holds (client-node). */
  largestChunk: { bytes: number; packages: string[] };
  /** Everything installed, source maps and the krew staging directory left out. */
  installBytes: number;
}

export function pluginSize(root: string): PluginSize {
  const dir = join(root, 'dist', 'plugin');
  const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const size = (f: string) => statSync(join(dir, f)).size;
  const packages = JSON.parse(readFileSync(join(dir, 'packages.json'), 'utf8')) as { files: Record<string, string[]>; startup: Record<string, string[]> };
  const largest = js.reduce((a, b) => (size(a) >= size(b) ? a : b));
  const skip = (path: string) => path.endsWith('.map') || path.includes(join('manifests', 'krew'));
  return {
    bundleBytes: js.reduce((sum, f) => sum + size(f), 0),
    bundleFiles: js.length,
    startupBytes: (packages.startup['berth.js'] ?? []).reduce((sum, f) => sum + size(f), 0),
    largestChunk: { bytes: size(largest), packages: packages.files[largest] ?? [] },
    installBytes: INSTALLED.reduce((sum, p) => sum + bytesUnder(join(root, p), skip), 0),
  };
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
