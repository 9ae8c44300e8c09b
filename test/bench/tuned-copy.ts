// A diagnostic for cli-start and ls-scale: a throw-away copy of the built plugin with the two cheap
// start-up fixes applied, so BENCHMARKS.md can say what they would buy, measured, not guessed. It is
// close to what the krew archive ships (which carries a manifest) and what a user gets after the
// first run once bin/run.js enables the compile cache:
//  - oclif.manifest.json, which oclif reads instead of importing every command module on every start;
//  - NODE_COMPILE_CACHE, Node's on-disk cache of compiled modules (what module.enableCompileCache() turns on).
// The copy lives in the benchmark's scratch directory; the work tree is never touched.
import { cp, mkdir, symlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { timeCommand } from './measure.js';

export interface TunedCopy {
  /** The copy's bin/kubectl-berth. */
  bin: string;
  /** Environment with the copy's bin/ first on PATH (so `kubectl berth` runs the copy) and a warmed compile cache. */
  env: NodeJS.ProcessEnv;
  /** True when the work tree already ships a manifest (then the copy changes only the compile cache). */
  manifestAlreadyShipped: boolean;
}

const GENERATE = `
import { Config } from '@oclif/core';
import { writeFileSync } from 'node:fs';
const config = await Config.load({ root: process.cwd() });
const plugin = config.plugins.get(config.pjson.name);
if (!plugin) throw new Error('the plugin itself is not among the loaded oclif plugins');
writeFileSync('oclif.manifest.json', JSON.stringify(plugin.manifest));
`;

export interface StartupFixes {
  manifest: boolean;
  compileCache: boolean;
  prerenderedHelp: boolean;
}

/** Which start-up fixes the build already has, so the advice in BENCHMARKS.md stays true. */
export function startupFixesInPlace(root: string): StartupFixes {
  const run = existsSync(join(root, 'bin', 'run.js')) ? readFileSync(join(root, 'bin', 'run.js'), 'utf8') : '';
  return {
    manifest: existsSync(join(root, 'oclif.manifest.json')),
    compileCache: run.includes('enableCompileCache'),
    prerenderedHelp: existsSync(join(root, 'dist', 'help', 'root.txt')),
  };
}

export async function tunedCopy(root: string, scratch: string, env: NodeJS.ProcessEnv, warmArgs: string[][]): Promise<TunedCopy> {
  const dir = join(scratch, 'tuned-plugin');
  await mkdir(join(dir, 'dist'), { recursive: true });
  await cp(join(root, 'bin'), join(dir, 'bin'), { recursive: true });
  await cp(join(root, 'package.json'), join(dir, 'package.json'));
  await cp(join(root, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
  if (existsSync(join(root, 'dist', 'help'))) await cp(join(root, 'dist', 'help'), join(dir, 'dist', 'help'), { recursive: true });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  const manifestAlreadyShipped = existsSync(join(root, 'oclif.manifest.json'));
  const packagingStep = join(dir, 'dist', 'src', 'completion', 'build-table.js');
  if (manifestAlreadyShipped) await cp(join(root, 'oclif.manifest.json'), join(dir, 'oclif.manifest.json'));
  // The krew packaging step (manifests/krew/package.sh) writes the manifest the released archive ships.
  else if (existsSync(packagingStep)) await timeCommand([process.execPath, packagingStep, '--oclif-manifest'], { cwd: dir, env });
  else await timeCommand([process.execPath, '--input-type=module', '-e', GENERATE], { cwd: dir, env });
  if (!existsSync(join(dir, 'oclif.manifest.json'))) throw new Error('no oclif.manifest.json was generated in the tuned copy');
  const cacheDir = join(scratch, 'compile-cache');
  await mkdir(cacheDir);
  const tunedEnv = { ...env, PATH: `${join(dir, 'bin')}${delimiter}${env.PATH ?? ''}`, NODE_COMPILE_CACHE: cacheDir };
  const bin = join(dir, 'bin', 'kubectl-berth');
  for (const args of warmArgs) await timeCommand([bin, ...args], { env: tunedEnv }).catch(() => undefined);
  return { bin, env: tunedEnv, manifestAlreadyShipped };
}
