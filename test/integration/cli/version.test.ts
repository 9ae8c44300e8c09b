// `kubectl berth version` against the local cluster: the agent versions it prints are the ones the
// nodes carry, a skew is warned about on stderr only, and an unreachable server is a note, exit 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, SUPPORTED_KUBERNETES_MINORS } from '../../../shared/contract.js';
import { clusterKubeconfig, deleteFakeNode, kubectl, kubectlJson, requireCluster } from '../../support/cluster.js';
import { repo as root } from '../../support/repo.js';

const cli = join(root, 'bin', 'kubectl-berth');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function run(args: string[], kubeconfig = clusterKubeconfig()) {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...env } = process.env;
  const r = spawnSync(cli, args, { encoding: 'utf8', env: { ...env, KUBECONFIG: kubeconfig }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function nodeAgentVersions(): Promise<Array<{ node: string; version: string }>> {
  const nodes = await kubectlJson<{ items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }> }>(['get', 'nodes']);
  return nodes.items
    .filter((n) => n.metadata.annotations?.[Annotations.nodeAgentVersion])
    .map((n) => ({ node: n.metadata.name, version: n.metadata.annotations![Annotations.nodeAgentVersion] }))
    .sort((a, b) => a.node.localeCompare(b.node));
}

describe('kubectl berth version against the local cluster', function () {
  this.timeout(120_000);
  before(async function () {
    await requireCluster(this);
  });

  it('-o json reports the plugin version and the agent version each node carries', async () => {
    const r = run(['version', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { clientVersion: string; agentVersions: unknown };
    assert.equal(report.clientVersion, version);
    assert.deepEqual(report.agentVersions, await nodeAgentVersions());
  });

  it('the text form lists the agents, and warns on stderr exactly when a version differs', async () => {
    const r = run(['version']);
    assert.equal(r.code, 0, r.stderr);
    const agents = await nodeAgentVersions();
    assert.match(r.stdout, new RegExp(`^Client Version: ${version.replaceAll('.', '\\.')}\\n`));
    if (agents.length === 0) assert.match(r.stdout, /^Agent Versions: none$/m);
    for (const a of agents) assert.match(r.stdout, new RegExp(`^  ${a.node}\\s+${a.version.replaceAll('.', '\\.')}$`, 'm'));
    const skewed = agents.filter((a) => a.version.replace(/^v/, '') !== version);
    if (skewed.length > 0) assert.match(r.stderr, /Warning: version skew/);
    else assert.doesNotMatch(r.stderr, /skew/);
    assert.doesNotMatch(r.stdout, /Warning|Note/);
  });

  it('prints the API server\'s version, a supported one here, without a warning', async () => {
    const server = (await kubectlJson<{ serverVersion: { gitVersion: string } }>(['version'])).serverVersion.gitVersion;
    const minor = server.replace(/^v(\d+\.\d+)\..*$/, '$1');
    assert.ok(SUPPORTED_KUBERNETES_MINORS.includes(minor), `the test cluster runs ${server}, a supported minor`);
    const json = run(['version', '-o', 'json']);
    assert.equal((JSON.parse(json.stdout) as { serverVersion?: string }).serverVersion, server);
    const text = run(['version']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Client Version: .*\\nServer Version: ${server.replaceAll('.', '\\.')}\\n`));
    assert.doesNotMatch(text.stderr, /Kubernetes v/);
  });

  it('a node whose agent runs another version gets its own line and a skew warning on stderr', async () => {
    // A Node object of the test's own (no kubelet behind it), carrying what an older agent writes.
    const node = `t-version-skew-${process.pid}`;
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, annotations: { [Annotations.nodeAgentVersion]: '0.0.1' } } });
    await kubectl(['apply', '-f', '-'], { input });
    try {
      const r = run(['version']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^  ${node}\\s+0\\.0\\.1$`, 'm'));
      assert.match(r.stderr, /Warning: version skew/);
      assert.match(r.stderr, new RegExp(node));
    } finally {
      await deleteFakeNode(node);
    }
  });

  it('an unreachable API server: the client version, a note on stderr, exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 't-citizenship-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      const config = readFileSync(clusterKubeconfig(), 'utf8').replace(/server: "?https:\/\/[^\s",}]+"?/, 'server: "https://127.0.0.1:1"');
      assert.ok(config.includes('https://127.0.0.1:1"'));
      writeFileSync(kubeconfig, config);
      const r = run(['version'], kubeconfig);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `Client Version: ${version}\n`);
      assert.match(r.stderr, /agent versions unknown: .*cannot reach the cluster/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
