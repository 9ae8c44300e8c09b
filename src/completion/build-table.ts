// Build step (npm run build, after the bundle): writes the command table so the first <TAB> is
// fast. Completion regenerates a stale table itself, so a failure here is reported but never breaks
// the build. With --oclif-manifest (npm run build and packaging) it also writes oclif.manifest.json,
// which oclif reads instead of computing every command's flags, and from which the build's help
// pre-rendering (src/help/prerender.ts) takes the command ids. Since the bundle holds every command
// class, the manifest no longer changes start-up measurably (CPU time of ls and ls --help with and
// without it agreed within noise). It is rebuilt with every build and never committed.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { generateCommandTable, saveCommandTable, TABLE_FILE } from './table.js';

const root = packageRoot(import.meta.url);

async function writeOclifManifest(): Promise<void> {
  const { Config } = await import('@oclif/core');
  const config = await Config.load({ root });
  const plugin = config.getPluginsList().find((p) => p.root === config.root) as unknown as { manifest: { commands: Record<string, object> } };
  writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify({ commands: plugin.manifest.commands, version: config.version }, null, 2));
}

try {
  // oclif reads an existing manifest instead of the command files: a build must not start from
  // the last build's, or every change to a command's flags, examples or help would be lost.
  if (process.argv.includes('--oclif-manifest')) rmSync(join(root, 'oclif.manifest.json'), { force: true });
  const table = await generateCommandTable(root);
  if (!saveCommandTable(root, table)) process.stderr.write(`warning: could not write ${TABLE_FILE}\n`);
  if (process.argv.includes('--oclif-manifest')) await writeOclifManifest();
} catch (error) {
  process.stderr.write(`warning: completion table not generated: ${(error as Error).message}\n`);
  if (process.argv.includes('--oclif-manifest')) process.exitCode = 1;
}
