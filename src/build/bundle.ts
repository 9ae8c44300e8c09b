// Build step (npm run build, after tsc): bundles the plugin into dist/plugin/ with esbuild, so a
// start resolves and reads a few files instead of hundreds (see BENCHMARKS.md, CLI start and ls at
// scale). Two entries share chunks: berth.js (every command, oclif, the help class and the hooks;
// bin/run.js) and complete.js (kubectl_complete-berth). What a command imports lazily, such as
// @kubernetes/client-node, execa and @inquirer/prompts, stays in chunks of its own that load only
// when that code runs. The agent and the launcher are not bundled: they run tsc's output in the image.
// `vnc --web`'s page (src/access/web/, with noVNC from node_modules) is bundled for the browser into
// dist/plugin/web/, so the installed plugin serves it without node_modules.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../package-root.js';

const root = packageRoot(import.meta.url);
export const BUNDLE_DIR = join(root, 'dist', 'plugin');
const COMPILED = join(root, 'dist', 'src');
const ENTRY = 'berth-plugin-entry';
/** Which npm packages each bundled file holds, and which files each entry loads before any lazy
 * chunk, so tests and benchmarks can tell what a run loaded. */
export const PACKAGES_FILE = 'packages.json';

type Outputs = Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string }>; entryPoint?: string }>;

export interface BundleContents {
  /** npm packages by output file name. */
  files: Record<string, string[]>;
  /** Output files an entry loads at start (itself and its static imports), by entry file name. */
  startup: Record<string, string[]>;
}

/** What esbuild's metafile says about the outputs, by file name. Pure. */
export function bundleContents(outputs: Outputs): BundleContents {
  const base = (file: string) => file.split('/').at(-1)!;
  const files: Record<string, string[]> = {};
  const startup: Record<string, string[]> = {};
  for (const [file, output] of Object.entries(outputs)) {
    if (!file.endsWith('.js')) continue;
    const packages = new Set<string>();
    for (const input of Object.keys(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      if (name) packages.add(name);
    }
    files[base(file)] = [...packages].sort();
  }
  for (const [file, output] of Object.entries(outputs)) {
    if (!output.entryPoint || !file.endsWith('.js')) continue;
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f) || !outputs[f]) return;
      seen.add(f);
      for (const i of outputs[f]!.imports) if (i.kind === 'import-statement') visit(i.path);
    };
    visit(file);
    startup[base(file)] = [...seen].map(base).sort();
  }
  return { files, startup };
}

/** oclif command ids from the compiled command files, the way oclif's pattern discovery names them. */
export function commandIds(files: readonly string[]): Array<{ id: string; file: string }> {
  return files
    .filter((f) => f.endsWith('.js'))
    .map((file) => {
      const words = file.replace(/\.js$/, '').split('/');
      if (words.at(-1) === 'index') words.pop();
      return { id: words.join(':'), file };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The source of the bundle's entry: src/plugin.ts plus the command map. Pure. */
export function entrySource(commands: ReadonlyArray<{ id: string; file: string }>): string {
  const imports = commands.map((c, i) => `import c${i} from './commands/${c.file}';`);
  const map = commands.map((c, i) => `  ${JSON.stringify(c.id)}: c${i},`);
  return [`export * from './plugin.js';`, ...imports, 'export const commands = {', ...map, '};', ''].join('\n');
}

/**
 * Turns our modules' dynamic imports of each other into static ones. Outside a bundle they keep a
 * command from loading modules it does not use; inside one they would only split our own code
 * into a dozen small chunks, each another file to open on every start. Dynamic imports of packages
 * (client-node, execa, @inquirer/prompts, ws) are left alone: those stay in chunks loaded on use. Pure.
 */
export function staticRelativeImports(source: string): string {
  const names = new Map<string, string>();
  const body = source.replace(/\bimport\((['"])(\.{1,2}\/[^'"]+)\1\)/g, (_match, _quote: string, specifier: string) => {
    if (!names.has(specifier)) names.set(specifier, `__berthLazy${names.size}`);
    return `Promise.resolve(${names.get(specifier)})`;
  });
  const imports = [...names].map(([specifier, name]) => `import * as ${name} from ${JSON.stringify(specifier)};`);
  return imports.length === 0 ? source : `${imports.join('\n')}\n${body}`;
}

const entryPlugin: Plugin = {
  name: 'berth-entry',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/](src|shared)[\\/].*\.js$/ }, (args) => ({ contents: staticRelativeImports(readFileSync(args.path, 'utf8')), loader: 'js' }));
    b.onResolve({ filter: new RegExp(`^${ENTRY}$`) }, () => ({ path: ENTRY, namespace: ENTRY }));
    b.onLoad({ filter: /.*/, namespace: ENTRY }, () => {
      const files = readdirSync(join(COMPILED, 'commands'), { recursive: true, encoding: 'utf8' }).map((f) => f.split('\\').join('/'));
      return { contents: entrySource(commandIds(files)), resolveDir: COMPILED, loader: 'js' };
    });
  },
};

/** Beside the plugin's bundle; src/access/vnc-web.ts serves it from there. */
const WEB_DIR = 'web';
const WEB_SOURCE = join(root, 'src', 'access', 'web');

/** The page of `vnc --web`: index.html as written, page.js with noVNC in one file for the browser. */
async function bundleWebPage(out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(WEB_SOURCE, 'page.js')],
    outfile: join(out, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // noVNC awaits at its top level (WebCodecs probing): ES2022.
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(WEB_SOURCE, 'index.html'), join(out, 'index.html'));
}

async function bundle(): Promise<void> {
  // Written beside the old bundle and swapped in whole: a plugin started meanwhile (other builds,
  // benchmarks, tests in the same tree) sees the old bundle or the new one, never half of each.
  const staging = `${BUNDLE_DIR}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    entryPoints: [
      { in: ENTRY, out: 'berth' },
      { in: join(COMPILED, 'completion', 'main.js'), out: 'complete' },
    ],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // Smaller files parse faster on every start; names stay for stack traces and constructor.name,
    // which oclif's errors and our usage-error hook compare.
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    chunkNames: 'chunk-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [entryPlugin],
    // CommonJS dependencies (oclif, client-node's) call require() for Node's modules; ESM has none.
    banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  });
  writeFileSync(join(staging, PACKAGES_FILE), JSON.stringify(bundleContents(result.metafile.outputs as Outputs)));
  await bundleWebPage(join(staging, WEB_DIR));
  // esbuild's full metafile, for studying what went where (e.g. with esbuild's bundle analyzer).
  if (process.env.BERTH_BUNDLE_METAFILE) writeFileSync(process.env.BERTH_BUNDLE_METAFILE, JSON.stringify(result.metafile));
  const old = `${BUNDLE_DIR}.old.${process.pid}`;
  if (existsSync(BUNDLE_DIR)) renameSync(BUNDLE_DIR, old);
  renameSync(staging, BUNDLE_DIR);
  rmSync(old, { recursive: true, force: true });
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  process.stderr.write(`bundle: ${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${relative(root, BUNDLE_DIR)}/\n`);
}

// Run as a build step; imported (by the tests), it only defines.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await bundle();
