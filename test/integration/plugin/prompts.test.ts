// The questions create and purge ask on a terminal, answered through a real pseudo-terminal
// (util-linux `script`), against the real cluster: what is missing is asked for, and "no" means
// nothing is deleted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { clusterKubeconfig } from '../../support/cluster.js';
import { pluginBin } from '../../support/repo.js';
import { berth, createNamespace, DEAD_IMAGE, deleteNamespace, fakeHome, objectCounts, requireCluster, TEST_KEY } from './fixture.js';

interface Exchange {
  /** Wait for this in the terminal's output… */
  expect: RegExp;
  /** …then type this (it may add the exchanges that follow from this answer). */
  send: string | ((match: RegExpExecArray, more: Exchange[]) => string);
}

/** Runs kubectl-berth on a pseudo-terminal, answering each prompt as it appears. */
function onTerminal(args: string[], exchanges: Exchange[], timeoutMs = 60_000): Promise<{ exitCode: number; output: string }> {
  const command = [pluginBin, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { ...process.env, KUBECONFIG: clusterKubeconfig(), HOME: fakeHome, NO_COLOR: '1', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let next = 0;
  let seenUpTo = 0;
  const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no progress on the terminal; waiting for ${exchanges[next]?.expect}; output so far:\n${plain(output)}`));
    }, timeoutMs);
    const onData = (data: Buffer) => {
      output += data.toString();
      const text = plain(output);
      while (next < exchanges.length) {
        const m = exchanges[next].expect.exec(text.slice(seenUpTo));
        if (!m) break;
        seenUpTo += m.index + m[0].length;
        const send = exchanges[next].send;
        const keys = typeof send === 'string' ? send : send(m, exchanges);
        // Let the prompt finish drawing before typing.
        setTimeout(() => child.stdin.write(keys), 300);
        next += 1;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, output: plain(output) });
    });
  });
}

describe('prompts on a terminal (integration, local cluster)', function () {
  this.timeout(120_000);
  let ns: string;

  before(async function () {
    this.timeout(60_000);
    await requireCluster();
    ns = await createNamespace('tty');
  });

  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it('create --vnc-password asks for the password twice without echoing it, and puts it in the Secret', async () => {
    const run = await onTerminal(['create', 'vnc-pw', '-n', ns, '--dry-run', '-o', 'yaml', '--image', DEAD_IMAGE, '--accel', 'tcg', '--ssh-key', TEST_KEY, '--vnc-password'], [
      { expect: /VNC password/, send: 'pw123\r' },
      { expect: /VNC password again/, send: 'pw123\r' },
    ]);
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /VNC password \*{5}/, 'the answer is masked');
    const yamlStart = run.output.indexOf('apiVersion');
    assert.doesNotMatch(run.output.slice(0, yamlStart), /pw123/, 'the password is not echoed');
    assert.match(run.output.slice(yamlStart), /vnc-password: pw123/);
  });

  it('create asks for the name and the image (a URL when chosen) and uses the answers', async () => {
    const url = { expect: /Image URL/, send: `${DEAD_IMAGE}\r` };
    const run = await onTerminal(['create', '-n', ns, '--dry-run', '-o', 'yaml', '--accel', 'tcg', '--ssh-key', TEST_KEY], [
      { expect: /VM name/, send: 'asked\r' },
      // With catalog images there is a list whose last entry (one up from the first) asks for a
      // URL; with none, the URL question comes at once.
      { expect: /\? Image( URL)?/, send: (m, more) => (m[1] ? url.send : (more.push(url), '\x1b[A\r')) },
    ]);
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /name: asked-cloudinit/);
    assert.match(run.output, new RegExp(`berth\\.dev/image: ${DEAD_IMAGE.replaceAll('.', '\\.')}`));
  });

  it('purge asks, and "no" deletes nothing', async () => {
    const created = await berth(['create', 'keep', '-n', ns, '--image', DEAD_IMAGE, '--accel', 'tcg', '--ephemeral', '--node-selector', `t-plugin.berth.dev/never=${ns}`, '--allow-unschedulable']);
    assert.equal(created.exitCode, 0, created.stderr);
    // What purge would delete; the VM's pod is left out, as the StatefulSet controller may be
    // creating it just now on a busy machine.
    const purgeable = async () => {
      const { pods: _pods, ...counts } = await objectCounts(ns);
      return counts;
    };
    const before = await purgeable();
    const run = await onTerminal(['purge', 'keep', '-n', ns], [{ expect: /Delete 2 objects\?/, send: 'n\r' }]);
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /statefulset\/keep\s+secret\/keep-cloudinit/);
    assert.match(run.output, /Nothing was deleted\./);
    assert.deepEqual(await purgeable(), before);
  });
});
