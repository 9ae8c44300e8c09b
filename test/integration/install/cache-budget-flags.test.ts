// `kubectl berth install --disk-reserve/--cache-max` as a user runs it: the values reach the agent
// container's environment, and a bad one is refused (exit 2) before anything is applied. --dry-run
// never contacts the cluster.
import assert from 'node:assert/strict';
import { berth, berthOk } from '../../support/plugin.js';

describe('install: the image cache budget flags (plugin process, --dry-run)', function () {
  this.timeout(60_000);

  it("puts them in the agent container's environment", async () => {
    const { stdout } = await berthOk(['install', '--dry-run', '-o', 'json', '--disk-reserve', '30%', '--cache-max', '100Gi']);
    const objects = JSON.parse(stdout);
    const ds = (objects.items ?? objects).find((o: any) => o.kind === 'DaemonSet');
    const env = ds.spec.template.spec.containers.find((c: any) => c.name === 'agent').env;
    assert.deepEqual(env.filter((e: any) => e.name.startsWith('BERTH_AGENT_')), [
      { name: 'BERTH_AGENT_DISK_RESERVE', value: '30%' },
      { name: 'BERTH_AGENT_CACHE_MAX', value: '100Gi' },
    ]);
  });

  it('refuses a value the agent could not read, naming the flag', async () => {
    const r = await berth(['install', '--dry-run', '--disk-reserve', '5GB']);
    assert.equal(r.exitCode, 2);
    assert.match(r.message, /--disk-reserve: '5GB' is not a Kubernetes quantity; did you mean 5Gi\? \(a share of the file system, such as 20%, also works\)/);
  });
});
