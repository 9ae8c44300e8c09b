// The bundle build (src/build/bundle.ts): its pure parts, and the bundle `npm run build` wrote,
// run from a copy of the installed files without node_modules, as a krew or npm install has it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleContents, commandIds, entrySource, PACKAGES_FILE, staticRelativeImports, type BundleContents } from '../../../../src/build/bundle.js';
import { packageRoot } from '../../../../src/package-root.js';
import { skipLoudly } from '../../../support/skip.js';

const root = packageRoot(import.meta.url);

describe('bundle build', () => {
  it('names commands from their files as oclif does: index.js is its folder, subfolders join with colons', () => {
    assert.deepEqual(commandIds(['vnc/port-forward.js', 'ls.js', 'vnc/index.js', 'ls.js.map', 'images/add.d.ts']), [
      { id: 'ls', file: 'ls.js' },
      { id: 'vnc', file: 'vnc/index.js' },
      { id: 'vnc:port-forward', file: 'vnc/port-forward.js' },
    ]);
    const source = entrySource([{ id: 'vnc:port-forward', file: 'vnc/port-forward.js' }]);
    assert.match(source, /^export \* from '\.\/plugin\.js';$/m);
    assert.match(source, /import c0 from '\.\/commands\/vnc\/port-forward\.js';/);
    assert.match(source, /"vnc:port-forward": c0,/);
  });

  it("makes our modules' dynamic imports of each other static, and leaves packages lazy", () => {
    const out = staticRelativeImports("const a = await import('./vm-objects.js');\nconst b = await import(\"../x/y.js\");\nconst c = await import('@kubernetes/client-node');\nconst d = await import('./vm-objects.js');");
    assert.equal(
      out,
      'import * as __berthLazy0 from "./vm-objects.js";\nimport * as __berthLazy1 from "../x/y.js";\n' +
        "const a = await Promise.resolve(__berthLazy0);\nconst b = await Promise.resolve(__berthLazy1);\nconst c = await import('@kubernetes/client-node');\nconst d = await Promise.resolve(__berthLazy0);",
    );
    assert.equal(staticRelativeImports("import x from './x.js';"), "import x from './x.js';");
  });

  it("records each output's packages and what an entry loads before any lazy chunk", () => {
    const contents = bundleContents({
      'dist/plugin.1/berth.js': { entryPoint: 'e', inputs: { 'dist/src/plugin.js': {} }, imports: [{ path: 'dist/plugin.1/chunk-A.js', kind: 'import-statement' }, { path: 'dist/plugin.1/chunk-K.js', kind: 'dynamic-import' }] },
      'dist/plugin.1/chunk-A.js': { inputs: { 'node_modules/@oclif/core/lib/index.js': {}, 'node_modules/yaml/dist/index.js': {} }, imports: [] },
      'dist/plugin.1/chunk-K.js': { entryPoint: 'k', inputs: { 'node_modules/@kubernetes/client-node/dist/index.js': {} }, imports: [{ path: 'dist/plugin.1/chunk-A.js', kind: 'import-statement' }] },
      'dist/plugin.1/berth.js.map': { inputs: {}, imports: [] },
    });
    assert.deepEqual(contents.files, { 'berth.js': [], 'chunk-A.js': ['@oclif/core', 'yaml'], 'chunk-K.js': ['@kubernetes/client-node'] });
    assert.deepEqual(contents.startup['berth.js'], ['berth.js', 'chunk-A.js']);
  });

  describe('the built bundle', function () {
    this.timeout(60_000);
    let copy: string;
    let contents: BundleContents;

    before(function () {
      if (!existsSync(join(root, 'dist', 'plugin', 'berth.js'))) skipLoudly(this, 'the bundle is not built (dist/plugin/berth.js): run npm run build');
      contents = JSON.parse(readFileSync(join(root, 'dist', 'plugin', PACKAGES_FILE), 'utf8')) as BundleContents;
      // What manifests/krew/package.sh ships, without node_modules.
      copy = mkdtempSync(join(tmpdir(), 't-build-bundle-'));
      for (const path of ['bin', 'dist/plugin', 'dist/help', 'manifests', 'package.json', 'oclif.manifest.json']) {
        cpSync(join(root, path), join(copy, path), { recursive: true, filter: (src) => !src.endsWith('.map') });
      }
    });
    after(() => copy && rmSync(copy, { recursive: true, force: true }));

    const run = (file: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [join(copy, file), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KUBECONFIG: join(copy, 'no-kubeconfig'), ...env } });

    it('starts without loading client-node, execa or @inquirer/prompts', () => {
      const loaded = contents.startup['berth.js']!.flatMap((file) => contents.files[file] ?? []);
      for (const lazy of ['@kubernetes/client-node', 'execa', '@inquirer/core', 'ws']) assert.ok(!loaded.includes(lazy), `${lazy} is loaded on every start`);
      assert.ok(loaded.includes('@oclif/core'));
    });

    it('runs every kind of start from the installed files alone, with no node_modules', () => {
      assert.ok(!existsSync(join(copy, 'node_modules')));
      const rootHelp = run('bin/run.js', ['--help'], { BERTH_NO_PRERENDERED_HELP: '1' });
      assert.equal(rootHelp.status, 0, rootHelp.stderr);
      assert.match(rootHelp.stdout, /^USAGE/m);
      const lsHelp = run('bin/run.js', ['ls', '--help']);
      assert.equal(lsHelp.status, 0, lsHelp.stderr);
      assert.match(lsHelp.stdout, /kubectl berth ls/);
      // Reaches the kubeconfig reader, and client-node's chunk for the error path of create.
      for (const args of [['ls'], ['create', 'x', '--image', 'https://example.com/x.qcow2']]) {
        const r = run('bin/run.js', args);
        assert.equal(r.status, 5, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /no kubeconfig found/, args.join(' '));
      }
      const typo = run('bin/run.js', ['lss']);
      assert.equal(typo.status, 2);
      assert.match(typo.stderr.replace(/\s+/g, ' '), /Did you mean "kubectl berth ls"\?/);
      const completion = execFileSync(join(copy, 'bin', 'kubectl_complete-berth'), ['vnc', ''], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(copy, 'no-kubeconfig') } });
      assert.match(completion, /^port-forward\t/m);
    });
  });
});
