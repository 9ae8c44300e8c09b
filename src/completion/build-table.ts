// Build step (npm run build): writes the command table so the first <TAB> is fast. Completion
// regenerates a stale table itself, so a failure here is reported but never breaks the build.
// With --oclif-manifest (npm run build and packaging) it also writes oclif.manifest.json, which
// lets oclif find a command without importing every command file: --help starts in about half the
// time. It is rebuilt from the command files with every build and never committed, so it cannot go
// stale in git.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCommandTable, saveCommandTable, TABLE_FILE } from './table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

async function writeOclifManifest(): Promise<void> {
  const { Config } = await import('@oclif/core');
  const config = await Config.load({ root });
  const plugin = config.getPluginsList().find((p) => p.root === config.root) as unknown as { manifest: { commands: Record<string, object> } };
  const commands: Record<string, object> = {};
  for (const [id, command] of Object.entries(plugin.manifest.commands)) {
    const file = ['dist', 'src', 'commands', ...id.split(':')];
    const relativePath = existsSync(`${join(root, ...file)}.js`) ? [...file.slice(0, -1), `${file.at(-1)}.js`] : [...file, 'index.js'];
    commands[id] = { ...command, isESM: true, relativePath };
  }
  writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify({ commands, version: config.version }, null, 2));
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
