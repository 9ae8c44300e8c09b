// Airship Berth values as berth VMs, on the chart's two published examples (re-typed under
// test/fixtures/berth) and on values that must be refused whole.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { importRequests, mergeValues, planBerthImport, type BerthValuesFile } from '../../../../src/core/berth-import.js';
import { repo } from '../../../support/repo.js';

const fixtures = join(repo, 'test', 'fixtures', 'berth');
function fixture(name: string): BerthValuesFile & { values: Record<string, any> } {
  return { source: name, values: parse(readFileSync(join(fixtures, name), 'utf8')) };
}

describe('planBerthImport', () => {
  it("takes Berth's cirros example: its size, image, user-data, and every key it leaves out named", () => {
    const plan = planBerthImport([fixture('cirros-test.yaml')]);
    assert.equal(plan.vms.length, 1);
    const vm = plan.vms[0];
    assert.equal(vm.name, 'cirros-test');
    assert.deepEqual(vm.flags, {
      image: 'http://stupidest.org/vm/cirros-0.3.5-x86_64-disk.img',
      cpus: '1',
      memory: '256Mi',
      // 128Mi held Berth's base image download; berth's smallest disk is 1Gi.
      'disk-size': '1Gi',
      'storage-class': undefined,
      port: [],
      'ready-port': '0',
      'node-selector': [],
    });
    assert.equal(vm.userData?.text, '#cloud-config\nfqdn: cirros.example.com\n');
    assert.match(vm.userData!.source, /cirros-test\.yaml: vmlist\.cirros-test\.cloudconfig\.userdata/);
    const notes = vm.notes.join('\n');
    assert.match(notes, /cloudconfig\.bogus_not_used is not a Berth key; ignored/);
    assert.match(notes, /localtarget is not needed/);
    assert.match(notes, /pvc_size 128Mi is below berth's smallest disk; the disk is 1Gi/);
    assert.match(notes, /netconfig\.ports\.vnc \(5900\) is the VM's display/);
    assert.match(notes, /cloudconfig\.metadata is not carried over \(uuid\)/);
  });

  it("takes Berth's Ubuntu/apache example: class, readiness port, the user-data as written", () => {
    const [vm] = planBerthImport([fixture('demo-ub14-apache.yaml')]).vms;
    assert.equal(vm.flags['storage-class'], 'managed');
    assert.equal(vm.flags['ready-port'], '22');
    assert.equal(vm.flags['disk-size'], '5Gi');
    assert.equal(vm.flags.memory, '1024Mi');
    assert.match(vm.userData!.text, /runcmd:\n {2}- \[ apt-get, update \]/);
    assert.match(vm.userData!.text, /ecdsa-sha2-nistp256 AAAAE2Vj/);
  });

  it("the examples pass create's own parser", () => {
    const plan = planBerthImport([fixture('cirros-test.yaml'), fixture('demo-ub14-apache.yaml')]);
    const requests = importRequests(plan, 'both', { accel: 'tcg' });
    assert.deepEqual(requests.map((r) => [r.name, r.cpus, r.memoryBytes / 2 ** 20, r.disk.sizeBytes / 2 ** 30, r.readyPort, r.accel]), [
      ['cirros-test', 1, 256, 1, 0, 'tcg'],
      ['demo-ub14-apache', 1, 1024, 5, 22, 'tcg'],
    ]);
    assert.deepEqual(requests[1].image, { kind: 'url', url: 'http://stupidest.org/vm/ubuntu-14.04-amd64.img' });
  });

  it('merges files as helm --values does: later keys win, mappings merge', () => {
    const override: BerthValuesFile = {
      source: 'override.yaml',
      values: { vmlist: { 'demo-ub14-apache': { vmconfig: { rootfs: { pvc_class: 'fast' } }, netconfig: { ports: { http: 80, alt: 8080 } } } }, labels: { node_selector_key: 'pool', node_selector_value: 'vms' } },
    };
    const plan = planBerthImport([fixture('cirros-test.yaml'), fixture('demo-ub14-apache.yaml'), override]);
    assert.deepEqual(plan.vms.map((v) => v.name), ['cirros-test', 'demo-ub14-apache']);
    const demo = plan.vms[1];
    assert.equal(demo.flags['storage-class'], 'fast');
    assert.equal(demo.flags['disk-size'], '5Gi');
    assert.deepEqual(demo.flags.port, ['80', '8080']);
    assert.deepEqual(plan.vms[0].flags['node-selector'], ['pool=vms']);
    assert.deepEqual(mergeValues({ a: [1, 2], b: { c: 1 } }, { a: [3], b: { d: 2 } }), { a: [3], b: { c: 1, d: 2 } });
  });

  it('skips disabled entries without checking them, as the chart does, and names them', () => {
    const plan = planBerthImport([{ source: 'x', values: { vmlist: { off: { enabled: false, vmconfig: 'whatever' }, ...fixture('cirros-test.yaml').values.vmlist } } } as BerthValuesFile]);
    assert.deepEqual(plan.disabled, ['off']);
    assert.deepEqual(plan.vms.map((v) => v.name), ['cirros-test']);
  });

  it('names the top-level keys it leaves out', () => {
    const plan = planBerthImport([{ source: 'x', values: { images: { vmrunner: 'quay.io/attcomdev/berth:latest' }, extra: 1, ...fixture('cirros-test.yaml').values } } as BerthValuesFile]);
    assert.deepEqual(plan.notes, ['images.vmrunner is not used: berth runs its own launcher image, the one its node agent runs', 'extra is not a Berth key; ignored']);
  });

  it('reports every problem of every entry at once, and imports nothing', () => {
    const values = {
      vmlist: {
        a: { enabled: true, vmconfig: { cpu: { vcpu: 'x', ram_mb: 512 }, rootfs: { sourceurl: 'http://h/a', pvc_size: '2Gi' } }, cloudconfig: { metadata: '{}', userdata: '#cloud-config\n' } },
        b: { enabled: true, vmconfig: { cpu: { vcpu: 1 }, rootfs: { sourceurl: 'ftp://h/b', pvc_size: '2Gi' } }, cloudconfig: { metadata: '{}' } },
      },
    };
    assert.throws(() => planBerthImport([{ source: 'v.yaml', values }]), (error: Error & { oclif: { exit: number } }) => {
      assert.equal(error.oclif.exit, 2);
      assert.match(error.message, /^v\.yaml: 4 problems; nothing was imported:/);
      assert.match(error.message, /vmlist\.a\.vmconfig\.cpu\.vcpu: must be a whole number, not string "x"/);
      assert.match(error.message, /vmlist\.b\.vmconfig\.cpu\.ram_mb: is required/);
      assert.match(error.message, /vmlist\.b\.vmconfig\.rootfs\.sourceurl: 'ftp:\/\/h\/b' is not an http\(s\) URL/);
      assert.match(error.message, /vmlist\.b\.cloudconfig\.userdata: is required/);
      return true;
    });
  });

  it("phrases create's parser's refusals in Berth's keys", () => {
    const plan = planBerthImport([fixture('demo-ub14-apache.yaml')]);
    plan.vms[0].flags.memory = '32Mi';
    assert.throws(() => importRequests(plan, 'v.yaml', {}), /vmlist\.demo-ub14-apache\.vmconfig\.cpu\.ram_mb: '32Mi' is below the 64Mi minimum/);
  });

  describe('the bad corpus (test/fixtures/berth/bad): each file refused whole, with its problem named', () => {
    for (const name of readdirSync(join(fixtures, 'bad')).sort()) {
      const text = readFileSync(join(fixtures, 'bad', name), 'utf8');
      const expected = text.split('\n')[0].replace(/^# /, '');
      it(`${name}: ${expected}`, () => {
        let values: unknown;
        try {
          values = parse(text);
        } catch (error) {
          // A file that is not YAML stops at reading (ops/import-vms.ts); nothing to plan.
          assert.match(expected, /not valid YAML/);
          return;
        }
        assert.throws(() => importRequests(planBerthImport([{ source: name, values }]), name, {}), (error: Error) => {
          assert.ok(error.message.includes(expected), `${error.message}\n  does not say: ${expected}`);
          return true;
        });
      });
    }
  });
});
