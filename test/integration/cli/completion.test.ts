// kubectl_complete-berth run as kubectl runs it, against the local cluster: VM names from
// labelled StatefulSets in a namespace of our own, catalog images, nodes, namespaces, contexts,
// with the connection flags on the line honoured, and silence (not an error) when the cluster is down.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadCommandTable } from '../../../src/completion/table.js';
import { argValueKind } from '../../../src/completion/value-kinds.js';
import { vmLabels } from '../../../src/core/vm-labels.js';
import { Catalog, Labels } from '../../../shared/contract.js';
import { clusterKubeconfig, kubectl, NODE_NAME, requireCluster, uniqueNamespace } from '../../support/cluster.js';
import { repo as root } from '../../support/repo.js';

const completer = join(root, 'bin', 'kubectl_complete-berth');

interface Answer {
  values: string[];
  descriptions: Record<string, string>;
  directive: number;
}

let lastStderr = '';
const why = () => (lastStderr ? ` (completer said: ${lastStderr.trim()})` : '');

function complete(args: string[], env: NodeJS.ProcessEnv = { KUBECONFIG: clusterKubeconfig() }): Answer {
  const { KUBECONFIG: _k, ...rest } = process.env;
  // BERTH_COMPLETION_DEBUG puts the reason for an empty lookup on stderr, for the failure message.
  const run = spawnSync(completer, args, { encoding: 'utf8', env: { ...rest, BERTH_COMPLETION_DEBUG: '1', ...env }, timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;
  lastStderr = run.stderr;
  const lines = out.trimEnd().split('\n');
  const last = lines.pop()!;
  assert.match(last, /^:\d+$/, `no directive line in ${JSON.stringify(out)}`);
  const descriptions: Record<string, string> = {};
  const values = lines.map((l) => {
    const [value, description] = l.split('\t');
    if (description) descriptions[value] = description;
    return value;
  });
  return { values, descriptions, directive: Number(last.slice(1)) };
}

const statefulSet = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, labels },
  spec: {
    replicas: 0,
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'localhost/busybox:local' }] } },
  },
});

describe('kubectl_complete-berth against the local cluster', function () {
  this.timeout(120_000);
  before(async function () {
    await requireCluster(this);
  });
  const ns = uniqueNamespace('citizenship');
  const catalogEntry = `t-citizenship-${process.pid}`;
  let dir: string;

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 't-citizenship-'));
    // Two VMs as kubectl berth makes them, and two StatefulSets the commands would refuse: one with
    // no labels, one that carries only the VM label (not made by kubectl berth).
    const items = [statefulSet('web', vmLabels('web')), statefulSet('db', vmLabels('db')), statefulSet('not-a-vm'), statefulSet('lookalike', { [Labels.vm]: 'lookalike' })];
    await kubectl(['-n', ns.name, 'apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    // A catalog of the test's own, in its namespace (BERTH_CATALOG_NAMESPACE points the completer
    // at it): the one in berth-system may be watched by an installed agent, which would start
    // downloading whatever the test put there, and may or may not exist.
    const entry = JSON.stringify({ url: 'http://127.0.0.1:1/t-citizenship.qcow2', sha256: 'a'.repeat(64) });
    await kubectl(['-n', ns.name, 'create', 'configmap', Catalog.configMap, `--from-literal=${catalogEntry}=${entry}`]);
  });

  after(async function () {
    this.timeout(60_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('every command whose argument is a VM completes the VMs of the namespace, and only them', async () => {
    const table = await loadCommandTable(root);
    const vmCommands = table.commands.filter((c) => !c.alias && c.args[0] && argValueKind(c.id, c.args[0].name) === 'vm');
    assert.ok(vmCommands.length >= 5, `expected the VM commands (stop, start, purge, ssh, vnc…), found: ${vmCommands.map((c) => c.id).join(', ')}`);
    for (const command of vmCommands) {
      const answer = complete([...command.id.split(' '), '-n', ns.name, '']);
      const subcommands = table.commands.filter((c) => c.id.startsWith(`${command.id} `)).map((c) => c.id.split(' ')[command.id.split(' ').length]);
      assert.deepEqual(answer.values.filter((v) => !subcommands.includes(v)).sort(), ['db', 'web'], `${command.id}${why()}`);
      assert.equal(answer.descriptions.web, 'stopped');
      assert.equal(answer.directive, 4);
    }
  });

  const lines: Array<[string, (n: string) => string[], (n: string) => string[]]> = [
    ['a VM by prefix', (n) => ['stop', '-n', n, 'w'], () => ['web']],
    ['--namespace=NS form', (n) => ['start', `--namespace=${n}`, 'd'], () => ['db']],
    ['ssh USER@ keeps the user', (n) => ['ssh', '-n', n, 'root@'], () => ['root@db', 'root@web']],
    ['NAME. offers NAME.NAMESPACE across namespaces', (n) => ['vnc', `web.${n.slice(0, -2)}`], (n) => [`web.${n}`]],
    ['scp offers VM: for remote paths', (n) => ['scp', '-n', n, 'we'], () => ['web:']],
    ['-n completes namespaces', (n) => ['ls', '-n', n.slice(0, -2)], (n) => [n]],
    ['--node-selector offers the nodes', () => ['create', 'new', '--node-selector', ''], () => [`kubernetes.io/hostname=${NODE_NAME}`]],
  ];
  for (const [title, args, expected] of lines) {
    it(`${title}: kubectl berth ${args('NS').join(' ')}<TAB>`, () => {
      assert.deepEqual(complete(args(ns.name)).values.sort(), expected(ns.name), why());
    });
  }

  it('--image completes the catalog, also as --image=', () => {
    const env = { KUBECONFIG: clusterKubeconfig(), BERTH_CATALOG_NAMESPACE: ns.name };
    const answer = complete(['create', 'new', '--image', ''], env);
    assert.deepEqual(answer.values, [catalogEntry], why());
    assert.equal(answer.descriptions[catalogEntry], 'http://127.0.0.1:1/t-citizenship.qcow2');
    assert.deepEqual(complete(['create', 'new', `--image=${catalogEntry}`], env).values, [`--image=${catalogEntry}`]);
    assert.deepEqual(complete(['images', 'rm', catalogEntry.slice(0, -1)], env).values, [catalogEntry]);
  });

  it('honours --kubeconfig and --context on the line, without KUBECONFIG', () => {
    const config = parse(readFileSync(clusterKubeconfig(), 'utf8')) as { 'current-context': string };
    const answer = complete(['purge', '--kubeconfig', clusterKubeconfig(), '--context', config['current-context'], '-n', ns.name, ''], { HOME: dir });
    assert.deepEqual(answer.values.sort(), ['db', 'web']);
    assert.deepEqual(complete(['ls', '--kubeconfig', clusterKubeconfig(), '--context', ''], { HOME: dir }).values, [config['current-context']]);
  });

  it('an unreachable cluster yields no candidates and no error, quickly', () => {
    const config = readFileSync(clusterKubeconfig(), 'utf8').replace(/server: "?https:\/\/[^\s",}]+"?/, 'server: "https://127.0.0.1:1"');
    assert.ok(config.includes('https://127.0.0.1:1"'), 'could not rewrite the server address');
    const kubeconfig = join(dir, 'unreachable');
    writeFileSync(kubeconfig, config);
    const started = Date.now();
    const answer = complete(['stop', '-n', ns.name, ''], { KUBECONFIG: kubeconfig });
    assert.deepEqual(answer, { values: [], descriptions: {}, directive: 4 });
    assert.ok(Date.now() - started < 15_000, 'completion must give up within its request timeout');
  });
});
