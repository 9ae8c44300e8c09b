// The launcher's NoCloud seed, packed by the real genisoimage (or xorriso) and read back with
// isoinfo: user-data arrives in the guest byte for byte, gzip included, and the instance-id follows
// what the seed says, so cloud-init applies an edit.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { buildSeedIso } from '../../../../agent/launcher/seed.js';
import { run } from '../../../../agent/common/exec.js';
import { Files, LauncherEnv } from '../../../../shared/contract.js';
import { skipLoudly } from '../../../support/skip.js';
import { testLauncherConfig } from './test-config.js';

describe('launcher cloud-init seed ISO (genisoimage, read back with isoinfo)', function () {
  this.timeout(30_000);
  let dir: string;
  const log = () => undefined;

  before(async function () {
    if ((await execa('isoinfo', ['-version'], { reject: false })).exitCode === undefined) skipLoudly(this, 'isoinfo (genisoimage) is not installed');
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't-launcher-seed-'));
    for (const sub of ['cloud-init', 'run']) mkdirSync(join(dir, sub));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = () =>
    testLauncherConfig({
      [LauncherEnv.cloudInitDir]: join(dir, 'cloud-init'),
      [LauncherEnv.runDir]: join(dir, 'run'),
    });

  async function fromSeed(iso: string, name: string): Promise<Buffer> {
    const out = await execa('isoinfo', ['-R', '-i', iso, '-x', `/${name}`], { encoding: 'buffer' });
    return Buffer.from(out.stdout as Uint8Array);
  }

  it('gzip user-data reaches the seed byte for byte', async () => {
    const gzip = gzipSync(Buffer.from('#cloud-config\nusers:\n  - name: alice\n'));
    writeFileSync(join(dir, 'cloud-init', Files.userData), gzip);
    writeFileSync(join(dir, 'cloud-init', Files.metaData), 'local-hostname: web\n');
    const iso = await buildSeedIso(config(), run, log);
    assert.ok((await fromSeed(iso, Files.userData)).equals(gzip));
  });

  it('the instance-id changes with the user-data and stays while it does not', async () => {
    const instanceId = async (userData: string) => {
      writeFileSync(join(dir, 'cloud-init', Files.userData), userData);
      writeFileSync(join(dir, 'cloud-init', Files.metaData), 'local-hostname: web\n');
      const meta = (await fromSeed(await buildSeedIso(config(), run, log), Files.metaData)).toString();
      return /^instance-id: (berth-[0-9a-f]{16})$/m.exec(meta)?.[1];
    };
    const first = await instanceId('#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA one]\n');
    assert.ok(first);
    assert.equal(await instanceId('#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA one]\n'), first, 'a restart keeps it');
    assert.notEqual(await instanceId('#cloud-config\nssh_authorized_keys: [ssh-ed25519 AAAA one, ssh-ed25519 BBBB two]\n'), first, 'an added key is a new instance');
  });
});
