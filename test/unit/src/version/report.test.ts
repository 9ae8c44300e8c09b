import assert from 'node:assert/strict';
import { Annotations } from '../../../../shared/contract.js';
import { agentVersionsOf, renderVersionText, skewWarnings } from '../../../../src/version/report.js';

const node = (name: string, version?: string) => ({
  metadata: { name, annotations: (version ? { [Annotations.nodeAgentVersion]: version } : {}) as Record<string, string> },
});

describe('version report', () => {
  it('reads the agent version of annotated nodes only, sorted', () => {
    assert.deepEqual(agentVersionsOf([node('b', '0.1.0'), node('plain'), node('a', 'v0.2.0')]), [
      { node: 'a', version: 'v0.2.0' },
      { node: 'b', version: '0.1.0' },
    ]);
  });

  it('warns once per differing agent version, naming the nodes', () => {
    const report = { clientVersion: '0.1.0', agentVersions: [{ node: 'a', version: '0.2.0' }, { node: 'b', version: 'v0.1.0' }, { node: 'c', version: '0.2.0' }] };
    const warnings = skewWarnings(report);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /plugin is 0\.1\.0 but the agent on a, c is 0\.2\.0/);
    assert.deepEqual(skewWarnings({ clientVersion: '0.1.0', agentVersions: [{ node: 'b', version: 'v0.1.0' }] }), []);
    assert.deepEqual(skewWarnings({ clientVersion: '0.1.0' }), []);
  });

  it('prints like kubectl version, agents aligned', () => {
    assert.equal(renderVersionText({ clientVersion: '0.1.0' }), 'Client Version: 0.1.0\n');
    assert.equal(renderVersionText({ clientVersion: '0.1.0', agentVersions: [] }), 'Client Version: 0.1.0\nAgent Versions: none\n');
    assert.equal(
      renderVersionText({ clientVersion: '0.1.0', agentVersions: [{ node: 'n1', version: '0.1.0' }, { node: 'node-22', version: '0.1.0' }] }),
      'Client Version: 0.1.0\nAgent Versions:\n  n1        0.1.0\n  node-22   0.1.0\n',
    );
  });
});
