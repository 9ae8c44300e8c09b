import assert from 'node:assert/strict';
import type { CoreV1Event, V1PersistentVolumeClaim, V1Pod, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { planLines, planPurge } from '../../../../src/core/purge-plan.js';
import { resolveImage } from '../../../../src/core/vm-image.js';
import { needsCreateEvents, reasonCell, summariseVms, vmColumns, vmObject, type VmSummary } from '../../../../src/core/vm-summary.js';
import { printable, tablePrintable } from '../../../../src/output/print.js';
import { Annotations, Labels, LauncherEnv, VM_CONTAINER } from '../../../../shared/contract.js';

const labels = (vm: string) => ({ [Labels.managedBy]: 'kubectl-berth', [Labels.component]: 'vm', [Labels.vm]: vm });

function sts(name: string, namespace = 'ns', replicas = 1): V1StatefulSet {
  return {
    metadata: {
      name,
      namespace,
      labels: labels(name),
      creationTimestamp: new Date('2026-11-21T10:00:00Z'),
      annotations: { [Annotations.vmImage]: 'debian-12', [Annotations.vmCpus]: '2', [Annotations.vmMemory]: '2Gi', [Annotations.vmAccel]: 'tcg' },
    },
    spec: {
      replicas,
      serviceName: name,
      selector: {},
      template: {},
      volumeClaimTemplates: [{ spec: { resources: { requests: { storage: '10Gi' } } } }],
    },
  } as V1StatefulSet;
}

const runningPod = (vm: string, namespace = 'ns'): V1Pod => ({
  metadata: { name: `${vm}-0`, namespace, labels: labels(vm) },
  spec: { nodeName: 'berth-node', containers: [] },
  status: { phase: 'Running', podIP: '10.244.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
});

describe('ls rows', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');

  it("DISK is the disk's own size, not its claim's or emptyDir's (which hold metadata and a base copy too)", () => {
    const withDisk = (size: string, volume: 'pvc' | 'ephemeral'): V1StatefulSet => {
      const s = sts('web');
      s.spec!.template = { spec: { containers: [{ name: VM_CONTAINER, env: [{ name: LauncherEnv.diskSize, value: size }] }], volumes: volume === 'ephemeral' ? [{ name: 'disk', emptyDir: { sizeLimit: '22281Mi' } }] : [] } };
      if (volume === 'pvc') s.spec!.volumeClaimTemplates = [{ spec: { resources: { requests: { storage: '11151Mi' } } } }];
      else delete s.spec!.volumeClaimTemplates;
      return s;
    };
    assert.equal(summariseVms([withDisk('10Gi', 'pvc')], [])[0].disk, '10Gi');
    assert.equal(summariseVms([withDisk('10Gi', 'ephemeral')], [])[0].disk, '10Gi (ephemeral)');
    // A reused disk keeps the size it has: its claim's is all there is to show.
    assert.equal(summariseVms([sts('web')], [])[0].disk, '10Gi');
  });

  it('joins pods to their VM by namespace and name, sorted', () => {
    const rows = summariseVms([sts('web'), sts('db', 'ns', 0), sts('web', 'other')], [runningPod('web'), runningPod('db', 'elsewhere')]);
    assert.deepEqual(rows.map((r) => [r.namespace, r.name, r.status, r.ip]), [
      ['ns', 'db', 'Stopped', ''],
      ['ns', 'web', 'Running', '10.244.0.7'],
      ['other', 'web', 'Pending', ''],
    ]);
  });

  it('prints a kubectl-style table, wide, name, and JSON', () => {
    const formatItems = (items: VmSummary[], format: string, columns: ReturnType<typeof vmColumns>, toObject: typeof vmObject, noHeaders = false) =>
      printable(tablePrintable(items, columns, toObject, { noHeaders }), format === 'table' ? undefined : format);
    const rows = summariseVms([sts('web'), sts('db', 'ns', 0)], [runningPod('web')]);
    assert.equal(
      formatItems(rows, 'table', vmColumns(false, now), vmObject),
      'NAME   STATUS    NODE         IP           IMAGE       CPUS   MEMORY   AGE\n' +
        'db     Stopped   <none>       <none>       debian-12   2      2Gi      120m\n' +
        'web    Running   berth-node   10.244.0.7   debian-12   2      2Gi      120m\n',
    );
    assert.match(formatItems(rows, 'wide', vmColumns(true, now), vmObject), /^NAMESPACE   NAME .* ACCEL   DISK   DATA-DISKS   FIRMWARE   REASON\n/);
    assert.equal(formatItems(rows, 'name', vmColumns(false, now), vmObject), 'vm/db\nvm/web\n');
    const json = JSON.parse(formatItems(rows, 'json', vmColumns(false, now), vmObject));
    assert.deepEqual(json.items[1], {
      name: 'web', namespace: 'ns', status: 'Running', node: 'berth-node', ip: '10.244.0.7', image: 'debian-12',
      cpus: 2, memory: '2Gi', accel: 'tcg', disk: '10Gi', firmware: 'bios', onGuestShutdown: 'restart', created: '2026-11-21T10:00:00.000Z',
    });
    assert.equal(formatItems(rows, 'table', vmColumns(false, now), vmObject, true).startsWith('db '), true);
  });

  it('events are needed only when a VM should have a pod and has none', () => {
    assert.equal(needsCreateEvents([sts('web'), sts('db', 'ns', 0)], [runningPod('web')]), false);
    assert.equal(needsCreateEvents([sts('web')], [runningPod('web', 'other')]), true, 'a pod of another namespace is not this VM\'s');
  });

  it('a VM whose pod the cluster refuses: Failed, FailedCreate and the refusal, shortened in the table, whole in JSON', () => {
    const refused: CoreV1Event = {
      metadata: { name: 'web.1' },
      involvedObject: { kind: 'StatefulSet', name: 'web', namespace: 'ns' },
      reason: 'FailedCreate',
      message: `create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0${', x'.repeat(40)}`,
      lastTimestamp: new Date('2026-11-21T11:00:00Z'),
    };
    const [row] = summariseVms([sts('web')], [], [refused]);
    assert.equal(row!.status, 'Failed');
    assert.equal(row!.reason, 'FailedCreate');
    assert.match(row!.message, /^exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0(, x){40}$/);
    const cell = reasonCell(row!);
    assert.equal(cell.length, 'FailedCreate: '.length + 80);
    assert.match(cell, /^FailedCreate: exceeded quota: no-pods, .*…$/);
    assert.equal(vmObject(row!).message, row!.message);
    assert.equal(reasonCell({ reason: 'NoPod', message: '' }), 'NoPod');
    assert.equal(reasonCell({ reason: '', message: '' }), '<none>');
  });
});

describe('ls rows of VMs whose launcher fetches the base image', () => {
  const booting = (vm: string): V1Pod => ({ ...runningPod(vm), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } });
  const tail = 'berth-launcher: base: fetching sha256 abc from http://images/x.qcow2\nberth-launcher: base: downloaded 40.0 MiB of 120.0 MiB\n';

  it('shows Starting (FetchingBase) with the launcher\'s progress for the pod whose log tail says so, and GuestBooting for the others', () => {
    const rows = summariseVms([sts('web'), sts('db')], [booting('web'), booting('db')], [], new Map([['ns/web-0', tail]]));
    const byName = new Map(rows.map((r) => [r.name, r]));
    assert.deepEqual([byName.get('web')!.status, byName.get('web')!.reason, byName.get('web')!.message], ['Starting', 'FetchingBase', 'downloaded 40.0 MiB of 120.0 MiB']);
    assert.equal(reasonCell(byName.get('web')!), 'FetchingBase: downloaded 40.0 MiB of 120.0 MiB');
    assert.deepEqual([byName.get('db')!.status, byName.get('db')!.reason], ['Starting', 'GuestBooting']);
  });
});

describe('planPurge', () => {
  const secret = (vm: string): V1Secret => ({ metadata: { name: `${vm}-cloudinit`, labels: labels(vm) } });
  const pvc = (vm: string): V1PersistentVolumeClaim => ({ metadata: { name: `disk-${vm}-0`, labels: labels(vm) } });
  const listing = { statefulSets: [sts('web'), sts('db')], secrets: [secret('web'), secret('db'), secret('old')], pvcs: [pvc('web'), pvc('old')] };

  it('keeps disks by default and lists exactly what goes', () => {
    const plan = planPurge(['web'], listing, false);
    assert.deepEqual(plan, { targets: [{ vm: 'web', statefulSet: 'web', secrets: ['web-cloudinit'], pvcs: [], keptPvcs: ['disk-web-0'] }], missing: [] });
    assert.deepEqual(planLines(plan), ['statefulset/web', 'secret/web-cloudinit']);
  });

  it('--delete-disks adds the PVCs; --all takes every VM', () => {
    assert.deepEqual(planLines(planPurge('all', listing, true)), [
      'statefulset/db', 'secret/db-cloudinit', 'statefulset/web', 'secret/web-cloudinit', 'persistentvolumeclaim/disk-web-0',
    ]);
  });

  it('any unknown name is reported, so nothing is deleted', () => {
    assert.deepEqual(planPurge(['web', 'nope', 'gone'], listing, false).missing, ['nope', 'gone']);
  });

  it('leftovers of a purged VM (Secret, disks with --delete-disks) can still be purged', () => {
    assert.deepEqual(planLines(planPurge(['old'], listing, true)), ['secret/old-cloudinit', 'persistentvolumeclaim/disk-old-0']);
    assert.deepEqual(planPurge(['ghost'], { statefulSets: [], secrets: [], pvcs: [pvc('ghost')] }, false).missing, ['ghost']);
  });
});

describe('resolveImage', () => {
  const SHA = 'c'.repeat(64);
  it('looks names up in the catalog and passes URLs through', () => {
    const catalog = { cirros: JSON.stringify({ url: 'https://x/cirros.img', sha256: SHA.toUpperCase(), size: 1 }) };
    assert.deepEqual(resolveImage({ kind: 'catalog', name: 'cirros' }, catalog), { source: 'cirros', url: 'https://x/cirros.img', sha256: SHA, catalogName: 'cirros', sizeBytes: 1 });
    assert.deepEqual(resolveImage({ kind: 'url', url: 'https://y/z.qcow2' }, undefined), { source: 'https://y/z.qcow2', url: 'https://y/z.qcow2', sha256: undefined });
  });

  it('says what is wrong: no catalog, unknown name (with the known ones), broken entry', () => {
    assert.throws(() => resolveImage({ kind: 'catalog', name: 'cirros' }, undefined), {
      message: "image 'cirros' cannot be looked up: the image catalog (configmap/berth-images in namespace berth-system) does not exist",
    });
    assert.throws(() => resolveImage({ kind: 'catalog', name: 'ubuntu' }, { cirros: '{}', alpine: '{}' }), (e: any) =>
      e.message === "image 'ubuntu' is not in the image catalog (configmap/berth-images in namespace berth-system)" && e.suggestions[0] === 'use one of: alpine, cirros' && e.exitCode === 3);
    assert.throws(() => resolveImage({ kind: 'catalog', name: 'cirros' }, { cirros: 'not json' }), {
      message: "the image catalog's entry 'cirros' cannot be used: the value is not valid JSON",
    });
    assert.throws(() => resolveImage({ kind: 'catalog', name: 'cirros' }, { cirros: '{"url":"ftp://x/y","sha256":"' + SHA + '"}' }), {
      message: "the image catalog's entry 'cirros' cannot be used: url 'ftp://x/y' must use http or https, not ftp",
    });
  });
});
