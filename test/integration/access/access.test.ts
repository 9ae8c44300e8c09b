// ssh, scp, vnc, port-forward and console against the real local cluster, through the real
// bin/kubectl-berth (ssh's ProxyCommand calls it back), with nothing routed to pod IPs: every byte
// travels over port-forward or attach streams through the API server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAccessImage, cacheDir, consoleRoundTrip, echoRoundTrip, sshKey, startBerth, startFakeVm, startFixture, type Fixture } from './fixture.js';
import { parse } from 'yaml';
import { waitForOutput } from '../../support/child-output.js';
import { clusterKubeconfig, kubectlOut, requireCluster } from '../../support/cluster.js';
import { berthEnv } from '../../support/plugin.js';
import { portIsFree, readBanner } from '../../support/ports.js';
import { pluginBin, repo } from '../../support/repo.js';
import { importTraceModule, loadedPackages } from '../../support/import-trace.js';
import { onTerminal, STTY_SETTINGS } from '../../support/terminal.js';

describe('access (integration, local cluster)', function () {
  this.timeout(60_000);
  let fx: Fixture;
  let image: string;

  before(async function () {
    this.timeout(180_000);
    await requireCluster();
    image = await buildAccessImage();
    fx = await startFixture(image);
  });

  after(async function () {
    this.timeout(60_000);
    await fx?.cleanup();
  });

  describe('port-forward', () => {
    it('carries bytes both ways for several connections at once, and one breaking leaves the others alone', async () => {
      const child = startBerth(['port-forward', 'running', '-n', fx.namespace, ':7']);
      let exited = false;
      void child.then(() => (exited = true));
      try {
        const [, port] = await waitForOutput(child, 'stdout', /Forwarding from 127\.0\.0\.1:(\d+) -> 7\n/);
        // The connection to break carries bytes first, so its tunnel is open when it is cut.
        const broken = tcpConnect(Number(port), '127.0.0.1');
        await new Promise<void>((resolve) => broken.once('connect', () => resolve()));
        broken.write(randomBytes(64 * 1024));
        await new Promise<void>((resolve) => broken.once('data', () => resolve()));
        const payloads = [1, 2, 3, 4].map(() => randomBytes(256 * 1024));
        const rounds = payloads.map((payload) => echoRoundTrip(Number(port), payload));
        broken.write(randomBytes(64 * 1024));
        broken.resetAndDestroy();
        const echoed = await Promise.all(rounds);
        echoed.forEach((bytes, i) => assert.ok(bytes.equals(payloads[i]), `connection ${i} got its own bytes back`));
        const after = randomBytes(1000);
        assert.ok((await echoRoundTrip(Number(port), after)).equals(after), 'a new connection after the broken one works');
        assert.equal(exited, false, 'port-forward is still running');
      } finally {
        child.kill('SIGINT');
      }
      const result = await child;
      assert.equal(result.exitCode, 130);
    });

    it('Ctrl-C (SIGINT) exits 130 and leaves no listener behind', async () => {
      const child = startBerth(['port-forward', 'running', '-n', fx.namespace, ':7', ':5900']);
      const [, first, second] = await waitForOutput(child, 'stdout', /127\.0\.0\.1:(\d+) -> 7\n[^]*127\.0\.0\.1:(\d+) -> 5900\n/);
      const open = tcpConnect(Number(first), '127.0.0.1');
      await new Promise<void>((resolve) => open.once('connect', () => resolve()));
      child.kill('SIGINT');
      const result = await child;
      open.destroy();
      assert.equal(result.exitCode, 130);
      assert.ok(await portIsFree(Number(first)), `port ${first} is free again`);
      assert.ok(await portIsFree(Number(second)), `port ${second} is free again`);
    });

    it('--stdio joins stdin/stdout to one stream (the RFB banner on the pod loopback)', async () => {
      const child = startBerth(['port-forward', '--stdio', '-n', fx.namespace, 'running', '5900'], { stdin: 'pipe' });
      await waitForOutput(child, 'stdout', /^RFB 003\.008\n/);
      child.stdin!.end();
      const result = await child;
      assert.equal(result.exitCode, 0, result.stderr);
    });

    it('--stdio to a port nothing listens on fails with TUNNEL_REFUSED and a hint', async () => {
      const result = await startBerth(['port-forward', '--stdio', '-n', fx.namespace, 'running', '9999'], { stdin: 'pipe' });
      assert.equal(result.exitCode, 1);
      assert.match(result.stderr, /nothing accepts connections on port 9999 in VM 'running'/);
      assert.match(result.stderr, /TUNNEL_REFUSED/);
    });
  });

  describe('through plain HTTPS where the kubeconfig allows it, through client-node otherwise', () => {
    const files = mkdtempSync(join(tmpdir(), 'berth-access-clients-'));
    /** Runs the plugin; `packages` holds every package any process of the run (ssh's ProxyCommand too) loaded. */
    async function traced(args: string[], options: { stdin?: 'pipe'; kubeconfig?: string } = {}) {
      const trace = join(files, `trace-${randomBytes(4).toString('hex')}`);
      writeFileSync(trace, '');
      const child = startBerth(args, { stdin: options.stdin, env: { NODE_OPTIONS: `--import=${importTraceModule}`, BERTH_TEST_IMPORT_TRACE: trace, ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}) } });
      return { child, lines: () => readFileSync(trace, 'utf8').split('\n').filter(Boolean), packages: () => loadedPackages(trace, repo) };
    }

    it('ssh and its ProxyCommand (port-forward --stdio) never import client-node with the cluster\'s token', async () => {
      const run = await traced(['ssh', 'root@running', '-n', fx.namespace, '-i', sshKey, '-o', 'BatchMode=yes', '--', 'echo', 'via-https']);
      const result = await run.child;
      assert.equal(result.exitCode, 0, result.stderr);
      assert.equal(result.stdout.trim(), 'via-https');
      assert.ok(run.lines().filter((l) => l === 'dist/plugin/berth.js').length >= 2, `the trace saw both processes: ${run.lines().join(' ')}`);
      const packages = run.packages();
      assert.ok(packages.has('ws'), 'the ProxyCommand opened its WebSocket with ws');
      assert.ok(!packages.has('@kubernetes/client-node'), [...packages].join(' '));
    });

    it('an exec credential plugin: port-forward --stdio falls back to client-node and carries the stream', async () => {
      const admin = parse(readFileSync(clusterKubeconfig(), 'utf8')) as { clusters: { cluster: Record<string, unknown> }[]; users: { user: { token: string } }[] };
      const script = join(files, 'credential.sh');
      const credential = { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: admin.users[0]!.user.token } };
      writeFileSync(script, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(credential)}\nEOF\n`, { mode: 0o755 });
      const execConfig = join(files, 'exec.kubeconfig');
      const user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: script } };
      writeFileSync(execConfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: admin.clusters[0]!.cluster }], users: [{ name: 'u', user }], contexts: [{ name: 'k', context: { cluster: 'c', user: 'u' } }], 'current-context': 'k' }));
      const run = await traced(['port-forward', '--stdio', '-n', fx.namespace, 'running', '5900'], { stdin: 'pipe', kubeconfig: execConfig });
      await waitForOutput(run.child, 'stdout', /^RFB 003\.008\n/);
      run.child.stdin!.end();
      const result = await run.child;
      assert.equal(result.exitCode, 0, result.stderr);
      assert.ok(run.packages().has('@kubernetes/client-node'), 'client-node served the exec plugin');
    });
  });

  describe('ssh and scp through the ProxyCommand', () => {
    const common = () => ['-n', fx.namespace, '-i', sshKey, '-o', 'BatchMode=yes'];

    it("runs a command over ssh and exits with the command's status", async () => {
      const result = await startBerth(['ssh', `root@running`, ...common(), '--', 'echo', 'answer=$((6*7))', 'host=$(hostname);', 'exit', '7']);
      assert.equal(result.exitCode, 7, result.stderr);
      assert.equal(result.stdout.trim(), 'answer=42 host=running-0');
      const knownHosts = join(cacheDir, 'kubectl-berth', 'known_hosts', fx.clusterName.replace(/[^A-Za-z0-9._-]/g, '_'));
      assert.ok(existsSync(knownHosts), `host key filed in ${knownHosts}`);
      const again = await startBerth(['ssh', 'running', '-l', 'root', ...common(), '-o', 'StrictHostKeyChecking=yes', '--', 'true']);
      assert.equal(again.exitCode, 0, `the second login finds the key it stored: ${again.stderr}`);
    });

    it('copies a file there and back with scp (default SFTP protocol)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-scp-'));
      const data = randomBytes(300 * 1024);
      writeFileSync(join(dir, 'up.bin'), data);
      const up = await startBerth(['scp', ...common(), join(dir, 'up.bin'), `root@running.${fx.namespace}:/tmp/copied.bin`]);
      assert.equal(up.exitCode, 0, up.stderr);
      const down = await startBerth(['scp', ...common(), `root@running:/tmp/copied.bin`, join(dir, 'down.bin')]);
      assert.equal(down.exitCode, 0, down.stderr);
      assert.ok(readFileSync(join(dir, 'down.bin')).equals(data));
    });
  });

  describe('vnc', () => {
    it('--proxy-only prints {address, port}; the port answers the RFB banner from the pod loopback; SIGINT frees it', async () => {
      const child = startBerth(['vnc', 'running', '-n', fx.namespace, '--proxy-only']);
      const [line] = await waitForOutput(child, 'stdout', /^\{.*\}\n/);
      const { address, port } = JSON.parse(line) as { address: string; port: number };
      assert.equal(address, '127.0.0.1');
      const banners = await Promise.all([readBanner(port, 12), readBanner(port, 12)]);
      assert.deepEqual(banners, ['RFB 003.008\n', 'RFB 003.008\n'], 'two viewers at once');
      child.kill('SIGINT');
      const result = await child;
      assert.equal(result.exitCode, 130);
      assert.match(result.stderr, /no password: VNC listens on the pod's loopback only/);
      assert.ok(await portIsFree(port));
    });

    it('vnc port-forward prints the vnc:// address on stdout and serves it', async () => {
      const child = startBerth(['vnc', 'port-forward', `running.${fx.namespace}`]);
      const [, port] = await waitForOutput(child, 'stdout', /^vnc:\/\/127\.0\.0\.1:(\d+)\n/);
      assert.equal(await readBanner(Number(port), 12), 'RFB 003.008\n');
      child.kill('SIGINT');
      assert.equal((await child).exitCode, 130);
    });

    it('vnc starts the viewer it finds, hands it the address, and ends when the viewer does', async () => {
      const viewerDir = mkdtempSync(join(tmpdir(), 'berth-viewer-'));
      // A real program on PATH that is called like TigerVNC (host::port). It half-closes at once
      // (nc -N with no input), before the tunnel is even open, and must still get the banner.
      writeFileSync(
        join(viewerDir, 'vncviewer'),
        `#!/bin/sh\nport=\${1##*::}\nexec nc -N 127.0.0.1 "$port" </dev/null > ${join(viewerDir, 'seen')}\n`,
        { mode: 0o755 },
      );
      const result = await startBerth(['vnc', 'running', '-n', fx.namespace], { path: `${viewerDir}:/usr/bin:/bin` });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /Starting tigervnc: .*vncviewer/);
      assert.equal(readFileSync(join(viewerDir, 'seen'), 'latin1'), 'RFB 003.008\n');
    });
  });

  describe('console', () => {
    it('shows what the VM container writes, sends what we type, and leaves on Ctrl-]', async () => {
      const result = await consoleRoundTrip(startBerth(['console', 'running', '-n', fx.namespace], { stdin: 'pipe' }));
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /Console closed/);
      // The stand-in wrote a launcher log line to its stderr before each answer: the console is
      // the serial port alone, the log stays in `kubectl logs`.
      assert.doesNotMatch(result.stdout + result.stderr, /berth-launcher/);
      const logs = await kubectlOut(['logs', 'running-0', '-n', fx.namespace]);
      assert.match(logs, /berth-launcher: fixture: a console line arrived/);
    });
  });

  describe('console on a VM made with a tty (by an older plugin)', () => {
    before(async function () {
      this.timeout(120_000);
      await startFakeVm(fx.namespace, 'legacy', image, true);
    });

    it('still attaches, and says why log lines show up and how to separate them', async () => {
      const result = await consoleRoundTrip(startBerth(['console', 'legacy', '-n', fx.namespace], { stdin: 'pipe' }));
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /created with a terminal on its container[^]*kubectl patch statefulset legacy/);
    });
  });

  describe('console on a terminal', () => {
    it('runs the terminal raw while attached and restores it after Ctrl-]', async function () {
      const term = onTerminal([pluginBin, 'console', 'running', '-n', fx.namespace], berthEnv({ XDG_CACHE_HOME: cacheDir }));
      await waitForOutput(term.proc, 'stdout', /Press Ctrl-\] to exit/);
      const word = `tty-${randomBytes(4).toString('hex')}`;
      const echoed = waitForOutput(term.proc, 'stdout', new RegExp(`console: ${word}`));
      term.type(`${word}\r`);
      await echoed;
      const stty = waitForOutput(term.proc, 'stdout', STTY_SETTINGS);
      term.type(Buffer.from([0x1d]));
      const [settings] = await stty;
      term.proc.stdin!.end();
      const result = await term.proc;
      assert.equal(result.exitCode, 0);
      assert.doesNotMatch(settings, /-icanon|-echo\b/, 'canonical mode and echo are back');
      // Raw while attached: our terminal did not echo the word (the stand-in, like a VM whose
      // container has no tty, only answers it), and the launcher's log is not on the screen.
      const screen = term.screen();
      assert.equal(screen.split(word).length - 1, 1, JSON.stringify(screen));
      assert.doesNotMatch(screen, /berth-launcher/);
    });
  });

  describe('a VM that is stopped or missing', () => {
    const cases: Array<[string, (ns: string) => string[], number, RegExp]> = [
      ['vnc port-forward, stopped', (ns) => ['vnc', 'port-forward', 'stopped', '-n', ns], 4, /VM 'stopped' is stopped/],
      ['vnc --proxy-only, missing', (ns) => ['vnc', 'nope', '--proxy-only', '-n', ns], 3, /VM 'nope' not found/],
      ['vnc screenshot, stopped', (ns) => ['vnc', 'screenshot', 'stopped', '-n', ns], 4, /VM 'stopped' is stopped/],
      ['vnc --web, missing', (ns) => ['vnc', 'nope', '--web', '--no-browser', '-n', ns], 3, /VM 'nope' not found/],
      ['ssh, stopped', (ns) => ['ssh', 'root@stopped', '-n', ns, '--', 'true'], 4, /VM 'stopped' is stopped/],
      ['console, missing', (ns) => ['console', 'nope', '-n', ns], 3, /VM 'nope' not found/],
      ['port-forward --stdio, stopped', (ns) => ['port-forward', '--stdio', `stopped.${ns}`, '22'], 4, /is stopped/],
      ['port-forward, missing', (ns) => ['port-forward', 'nope', '8080:80', '-n', ns], 3, /not found/],
    ];
    for (const [title, args, exit, message] of cases) {
      it(`${title}: exit ${exit} with a clear message and a hint`, async () => {
        const result = await startBerth(args(fx.namespace));
        assert.equal(result.exitCode, exit, result.stderr);
        assert.match(result.stderr, message);
        assert.match(result.stderr, /Try this:/);
        assert.equal(result.stdout, '');
      });
    }
  });
});
