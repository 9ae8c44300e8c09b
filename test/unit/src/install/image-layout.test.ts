// The image is described in three places that cannot import keys.ts (a Dockerfile, the offline
// build's Containerfile, the DaemonSet YAML); these checks keep them on keys.ts's layout.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifests, packageManifestsDir } from '../../../../src/install/manifest-files.js';
import { agentDaemonSet } from '../../../../src/install/manifest-set.js';
import { AGENT_COMMAND, APP_DIR } from '../../../../shared/contract.js';

const root = join(packageManifestsDir(), '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function instruction(file: string, name: string): string {
  const line = file.split('\n').filter((l) => l.startsWith(`${name} `)).at(-1);
  assert.ok(line, `no ${name} instruction`);
  return line.slice(name.length + 1).trim();
}

describe('the berth image layout', () => {
  for (const path of ['manifests/Dockerfile', 'test/image/app.Containerfile']) {
    it(`${path} installs into APP_DIR and starts the agent as AGENT_COMMAND`, () => {
      const file = read(path);
      assert.equal(instruction(file, 'WORKDIR'), APP_DIR);
      assert.deepEqual(JSON.parse(instruction(file, 'CMD')), AGENT_COMMAND);
    });
  }

  it('the DaemonSet runs the agent as AGENT_COMMAND', async () => {
    const { objects } = await loadManifests();
    const container = (agentDaemonSet(objects).spec as any).template.spec.containers[0];
    assert.deepEqual(container.command, AGENT_COMMAND);
  });

  it('the offline build installs the packages the Dockerfile lists', () => {
    assert.match(read('manifests/Dockerfile'), /^ARG BERTH_PACKAGES="[^"]*qemu-system-x86[^"]*"$/m);
    assert.match(read('test/image/build.sh'), /BERTH_PACKAGES/);
  });
});
