// The pure builders for create: every flag shows up where the launcher, the scheduler and the
// kubelet will look for it.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parse, parseAllDocuments } from 'yaml';
import { buildCloudInitSecret } from '../../../../src/core/cloud-init-secret.js';
import { renderData } from '../../../../src/output/print.js';
import { parseVmFlags, type VmFlagValues } from '../../../../src/core/vm-flags.js';
import { assembleVmSpec, type VmSpec } from '../../../../src/core/vm-spec.js';
import { buildVmStatefulSet, claimBytes } from '../../../../src/core/vm-statefulset.js';
import { resolveImage } from '../../../../src/core/vm-image.js';
import { imageLabelName } from '../../../../shared/catalog.js';
import { Annotations, DeviceResources, LAUNCHER_COMMAND, Labels, LauncherEnv, Paths } from '../../../../shared/contract.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOne one@host';
const SHA = 'b'.repeat(64);
const catalog = { 'debian-12': JSON.stringify({ url: 'https://img.example/debian-12.qcow2', sha256: SHA }) };

function spec(flags: VmFlagValues = {}, userData?: string): VmSpec {
  const request = parseVmFlags('web', { image: 'debian-12', ...flags });
  return assembleVmSpec(request, {
    namespace: 'team-a',
    image: resolveImage(request.image, catalog),
    sshKeys: [{ source: 'test', text: KEY }],
    userData: userData === undefined ? undefined : { source: 'cc.yaml', text: userData },
    launcherImage: 'localhost/kubectl-berth:test',
  });
}

function env(s: VmSpec): Record<string, unknown> {
  const c = buildVmStatefulSet(s).spec!.template.spec!.containers[0];
  return Object.fromEntries(c.env!.map((e) => [e.name, e.value ?? e.valueFrom]));
}

const pod = (s: VmSpec) => buildVmStatefulSet(s).spec!.template.spec!;
const container = (s: VmSpec) => pod(s).containers[0];

describe('buildVmStatefulSet', () => {
  it('defaults: one replica, labels, annotations, launcher, KVM affinity, devices, probe, no privileges', () => {
    const sts = buildVmStatefulSet(spec());
    assert.equal(sts.spec!.replicas, 1);
    assert.deepEqual(sts.spec!.selector.matchLabels, { [Labels.component]: 'vm', [Labels.vm]: 'web' });
    for (const labels of [sts.metadata!.labels, sts.spec!.template.metadata!.labels, sts.spec!.volumeClaimTemplates![0].metadata!.labels]) {
      assert.deepEqual(labels, { [Labels.managedBy]: 'kubectl-berth', [Labels.component]: 'vm', [Labels.vm]: 'web' });
    }
    assert.deepEqual(sts.metadata!.annotations, { [Annotations.vmImage]: 'debian-12', [Annotations.vmAccel]: 'kvm', [Annotations.vmCpus]: '1', [Annotations.vmMemory]: '1Gi', [Annotations.vmFirmware]: 'bios', [Annotations.vmOnGuestShutdown]: 'restart' });
    const c = container(spec());
    assert.deepEqual(c.command, [...LAUNCHER_COMMAND]);
    assert.equal(c.image, 'localhost/kubectl-berth:test');
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.stdin, true);
    assert.equal(c.tty, false, 'the serial console (stdout) and the launcher log (stderr) stay apart');
    assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError');
    // Pod Security "restricted": non-root, no privilege escalation, every capability dropped, the
    // runtime's seccomp profile; low ports through a safe sysctl of the pod's own netns
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    assert.deepEqual(pod(spec()).securityContext, {
      runAsUser: 107,
      runAsGroup: 107,
      runAsNonRoot: true,
      fsGroup: 107,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
    });
    assert.equal(JSON.stringify(sts).includes('"privileged"'), false);
    assert.deepEqual(c.resources!.limits, { memory: '1152Mi', [DeviceResources.tun]: '1', [DeviceResources.kvm]: '1' });
    assert.deepEqual(c.resources!.requests, { cpu: '100m', memory: '1152Mi', [DeviceResources.tun]: '1', [DeviceResources.kvm]: '1' });
    assert.deepEqual(c.readinessProbe!.tcpSocket, { port: 22 });
    assert.equal(c.ports, undefined, 'loopback VNC publishes no port');
    const affinity = pod(spec()).affinity!.nodeAffinity!;
    assert.deepEqual(affinity.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchExpressions, [{ key: Labels.nodeKvm, operator: 'In', values: ['true'] }]);
    assert.deepEqual(affinity.preferredDuringSchedulingIgnoredDuringExecution![0].preference.matchExpressions, [
      { key: `${Labels.nodeImagePrefix}debian-12`, operator: 'In', values: ['ready'] },
    ]);
    assert.equal(pod(spec()).terminationGracePeriodSeconds, 135);
    assert.equal(pod(spec()).automountServiceAccountToken, false);
  });

  it('mounts the disk, the cloud-init Secret and scratch space, and no host path (the device plugin mounts the image cache)', () => {
    const c = container(spec());
    assert.deepEqual(c.volumeMounts!.map((m) => [m.name, m.mountPath, Boolean(m.readOnly)]), [
      ['disk', Paths.vmDisk, false],
      ['cloud-init', Paths.cloudInit, true],
      ['run', Paths.launcherRun, false],
      ['pod-size', Paths.podSize, true],
    ]);
    const volumes = pod(spec()).volumes!;
    // the launcher's news of an in-place resize: the pod's own CPU request and memory limit
    assert.deepEqual(volumes.find((v) => v.name === 'pod-size')!.downwardAPI!.items!.map((i) => [i.path, i.resourceFieldRef!.resource, i.resourceFieldRef!.divisor]), [
      ['cpu-request-millis', 'requests.cpu', '1m'],
      ['memory-limit-mib', 'limits.memory', '1Mi'],
    ]);
    assert.deepEqual(c.resizePolicy, [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }, { resourceName: 'memory', restartPolicy: 'NotRequired' }]);
    assert.equal(buildVmStatefulSet(spec()).spec!.updateStrategy!.type, 'OnDelete', 'a new template never replaces the running VM');
    assert.equal(volumes.some((v) => v.hostPath), false, 'no hostPath volume');
    assert.equal(volumes.find((v) => v.name === 'cloud-init')!.secret!.secretName, 'web-cloudinit');
    assert.equal(volumes.find((v) => v.name === 'disk'), undefined, 'the PVC comes from the claim template');
  });

  it("writes the launcher env contract, pod IP and the VM's private addresses (annotations the agent reads too) from the downward API", () => {
    assert.deepEqual(env(spec()), {
      [LauncherEnv.vmName]: 'web',
      [LauncherEnv.namespace]: { fieldRef: { fieldPath: 'metadata.namespace' } },
      [LauncherEnv.podIp]: { fieldRef: { fieldPath: 'status.podIP' } },
      [LauncherEnv.accel]: 'kvm',
      [LauncherEnv.cpus]: '1',
      [LauncherEnv.memoryMiB]: '1024',
      [LauncherEnv.maxCpus]: '4',
      [LauncherEnv.maxMemoryMiB]: '4096',
      [LauncherEnv.imageUrl]: 'https://img.example/debian-12.qcow2',
      [LauncherEnv.imageSha256]: SHA,
      [LauncherEnv.diskSize]: '10Gi',
      [LauncherEnv.vmIp]: { fieldRef: { fieldPath: `metadata.annotations['${Annotations.podVmIp}']` } },
      [LauncherEnv.vmGateway]: { fieldRef: { fieldPath: `metadata.annotations['${Annotations.podVmGateway}']` } },
      [LauncherEnv.vnc]: 'loopback',
      [LauncherEnv.shutdownSeconds]: '120',
      [LauncherEnv.firmware]: 'bios',
      [LauncherEnv.onGuestShutdown]: 'restart',
    });
  });

  it('--cpus and --memory size the guest and the pod (plus overhead)', () => {
    const s = spec({ cpus: '4', memory: '4Gi' });
    assert.equal(env(s)[LauncherEnv.cpus], '4');
    assert.equal(env(s)[LauncherEnv.memoryMiB], '4096');
    assert.deepEqual(container(s).resources!.requests!.cpu, '400m');
    assert.equal(container(s).resources!.limits!.memory, '4224Mi');
    assert.equal(buildVmStatefulSet(s).metadata!.annotations![Annotations.vmMemory], '4Gi');
  });

  it('--accel tcg: any agent node, no KVM device, room for the translation cache', () => {
    const s = spec({ accel: 'tcg', memory: '512Mi' });
    const required = pod(s).affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchExpressions;
    assert.deepEqual(required, [{ key: Labels.nodeReady, operator: 'In', values: ['true'] }]);
    assert.equal(container(s).resources!.limits![DeviceResources.kvm], undefined);
    assert.equal(container(s).resources!.limits![DeviceResources.tun], '1');
    assert.equal(container(s).resources!.limits!.memory, '768Mi');
    assert.equal(env(s)[LauncherEnv.accel], 'tcg');
  });

  it('--disk-size and --storage-class shape the claim template', () => {
    const claim = buildVmStatefulSet(spec({ 'disk-size': '40Gi', 'storage-class': 'berth-test' })).spec!.volumeClaimTemplates![0];
    assert.equal(claim.metadata!.name, 'disk');
    // 40Gi, its qcow2 metadata (10Mi + 16Mi) and the file system's 8%: (40960 + 26) / 0.92 MiB.
    assert.deepEqual(claim.spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'berth-test', resources: { requests: { storage: '44550Mi' } } });
    assert.equal(env(spec({ 'disk-size': '40Gi' }))[LauncherEnv.diskSize], '40Gi');
  });

  it('the claim holds the full disk, its qcow2 metadata and the base copy a URL image needs, after the file system takes its share', () => {
    const storage = (s: VmSpec) => buildVmStatefulSet(s).spec!.volumeClaimTemplates![0].spec!.resources!.requests!.storage;
    const url = spec({ image: 'https://img.example/x.qcow2', 'disk-size': '10Gi' });
    assert.equal(claimBytes(url), 22281 * 2 ** 20, 'a URL image: room for a base copy as large as the disk');
    assert.equal(storage(url), '22281Mi');
    assert.equal(claimBytes(spec({ 'disk-size': '10Gi' })), 11151 * 2 ** 20, 'a catalog image without a size: read from the node cache');
    const sized = { ...spec({ 'disk-size': '10Gi' }), image: { ...spec().image, sizeBytes: 300 * 2 ** 20 } };
    assert.equal(claimBytes(sized), 11477 * 2 ** 20, 'a catalog image with a size: room for its copy');
  });

  it('--ephemeral: an emptyDir limited to what a claim would hold, no claim template', () => {
    const sts = buildVmStatefulSet(spec({ ephemeral: true, 'disk-size': '5Gi' }));
    assert.equal(sts.spec!.volumeClaimTemplates, undefined);
    assert.deepEqual(sts.spec!.template.spec!.volumes!.find((v) => v.name === 'disk')!.emptyDir, { sizeLimit: '5584Mi' });
  });

  it('--reuse-disk without --disk-size keeps the disk its size: no BERTH_DISK_SIZE', () => {
    assert.equal(env(spec({ 'reuse-disk': true }))[LauncherEnv.diskSize], undefined);
    assert.equal(env(spec({ 'reuse-disk': true, 'disk-size': '20Gi' }))[LauncherEnv.diskSize], '20Gi');
  });

  it('--vnc-password publishes port 5900 named vnc; --no-vnc turns VNC off', () => {
    const withPassword = spec({ 'vnc-password': true });
    assert.deepEqual(container(withPassword).ports, [{ name: 'vnc', containerPort: 5900, protocol: 'TCP' }]);
    assert.equal(env(withPassword)[LauncherEnv.vnc], 'password');
    const off = spec({ vnc: false });
    assert.equal(container(off).ports, undefined);
    assert.equal(env(off)[LauncherEnv.vnc], 'off');
  });

  it('--ready-port picks the probed port; 0 drops the probe', () => {
    assert.deepEqual(container(spec({ 'ready-port': '8080' })).readinessProbe!.tcpSocket, { port: 8080 });
    assert.equal(container(spec({ 'ready-port': '0' })).readinessProbe, undefined);
  });

  it('--port lists the guest ports the launcher relays from the pod loopback', () => {
    assert.equal(env(spec({ port: ['80', '443'] }))[LauncherEnv.loopbackPorts], '80,443');
    assert.equal(LauncherEnv.loopbackPorts in env(spec()), false);
  });

  it('--node-selector becomes the pod nodeSelector; --shutdown-timeout sets env and grace period', () => {
    const s = spec({ 'node-selector': ['disk=ssd'], 'shutdown-timeout': '30s' });
    assert.deepEqual(pod(s).nodeSelector, { disk: 'ssd' });
    assert.equal(env(s)[LauncherEnv.shutdownSeconds], '30');
    assert.equal(pod(s).terminationGracePeriodSeconds, 45);
  });

  it('a catalog name too long for a label key gets the same stable label name the agent uses', () => {
    const long = `${'a'.repeat(70)}`;
    const request = parseVmFlags('web', { image: long });
    const s = assembleVmSpec(request, { namespace: 'ns', image: resolveImage(request.image, { [long]: catalog['debian-12'] }), sshKeys: [], launcherImage: 'x' });
    const key = pod(s).affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution![0].preference.matchExpressions![0].key;
    assert.equal(key, `${Labels.nodeImagePrefix}${imageLabelName(long)}`);
    assert.ok(key.length - Labels.nodeImagePrefix.length <= 63);
  });

  it('a URL image without sha256: no image env for the digest, no image preference', () => {
    const s = spec({ image: 'https://example.com/x.qcow2' });
    assert.equal(env(s)[LauncherEnv.imageSha256], undefined);
    assert.equal(pod(s).affinity!.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution, undefined);
    assert.equal(buildVmStatefulSet(s).metadata!.annotations![Annotations.vmImage], 'https://example.com/x.qcow2');
  });

  it('--user-data-from mounts the user\'s object beside the generated Secret (projected)', () => {
    const s = spec({ 'user-data-from': 'secret/app-init' });
    const volume = pod(s).volumes!.find((v) => v.name === 'cloud-init')!;
    assert.deepEqual(volume.projected!.sources, [
      { secret: { name: 'web-cloudinit' } },
      { secret: { name: 'app-init', items: [{ key: 'user-data', path: 'user-data' }] } },
    ]);
    const cm = pod(spec({ 'user-data-from': 'configmap/app-init' })).volumes!.find((v) => v.name === 'cloud-init')!;
    assert.deepEqual(cm.projected!.sources![1], { configMap: { name: 'app-init', items: [{ key: 'user-data', path: 'user-data' }] } });
  });
});

describe('buildCloudInitSecret', () => {
  it('holds meta-data and user-data with the keys merged', () => {
    const secret = buildCloudInitSecret(spec());
    assert.equal(secret.metadata!.name, 'web-cloudinit');
    assert.equal(secret.metadata!.namespace, 'team-a');
    assert.equal(secret.metadata!.labels![Labels.vm], 'web');
    assert.deepEqual(Object.keys(secret.stringData!), ['meta-data', 'user-data']);
    assert.deepEqual(parse(secret.stringData!['meta-data']), { 'local-hostname': 'web' }, 'no instance-id: the launcher derives it from the seed');
    assert.ok(secret.stringData!['user-data'].startsWith('#cloud-config\n'));
    assert.deepEqual(parse(secret.stringData!['user-data']).ssh_authorized_keys, [KEY]);
  });

  it('--user-data merges; --vnc-password adds the password', () => {
    const secret = buildCloudInitSecret({ ...spec({ 'vnc-password': true }, '#cloud-config\npackages: [htop]\n'), vnc: { mode: 'password', password: 'pw' } });
    assert.deepEqual(parse(secret.stringData!['user-data']), { packages: ['htop'], ssh_authorized_keys: [KEY] });
    assert.equal(secret.stringData!['vnc-password'], 'pw');
  });

  it('binary --user-data (gzip) travels byte for byte in data; the keys go to meta-data public-keys', () => {
    const gzip = gzipSync(Buffer.from('#cloud-config\nusers: [alice]\n'));
    const request = parseVmFlags('web', { image: 'debian-12', 'user-data': 'cc.yaml.gz' });
    const s = assembleVmSpec(request, { namespace: 'team-a', image: resolveImage(request.image, catalog), sshKeys: [{ source: 'test', text: KEY }], userData: { source: 'cc.yaml.gz', bytes: gzip }, launcherImage: 'x' });
    const secret = buildCloudInitSecret(s);
    assert.ok(Buffer.from(secret.data!['user-data'], 'base64').equals(gzip));
    assert.equal(secret.stringData!['user-data'], undefined);
    assert.deepEqual(parse(secret.stringData!['meta-data'])['public-keys'], [KEY]);
    assert.deepEqual(pod(s).volumes!.find((v) => v.name === 'cloud-init')!.secret, { secretName: 'web-cloudinit', defaultMode: 0o400 });
  });

  it('--user-data-from: no user-data key; the keys travel in meta-data public-keys', () => {
    const secret = buildCloudInitSecret(spec({ 'user-data-from': 'secret/app-init' }));
    assert.deepEqual(Object.keys(secret.stringData!), ['meta-data']);
    assert.deepEqual(parse(secret.stringData!['meta-data'])['public-keys'], [KEY]);
  });

  it('a shell-script user-data stays as is; keys go to meta-data', () => {
    const secret = buildCloudInitSecret(spec({}, '#!/bin/sh\necho hi\n'));
    assert.equal(secret.stringData!['user-data'], '#!/bin/sh\necho hi\n');
    assert.deepEqual(parse(secret.stringData!['meta-data'])['public-keys'], [KEY]);
  });
});

describe('objects for -o yaml|json (renderData)', () => {
  it('YAML: one document per object, no anchors; JSON: a v1 List', () => {
    const objects = [buildCloudInitSecret(spec()), buildVmStatefulSet(spec())];
    const yaml = renderData({ objects }, 'yaml');
    assert.equal(/[&*]a\d/.test(yaml), false);
    const docs = parseAllDocuments(yaml).map((d) => d.toJS());
    assert.deepEqual(docs.map((d) => d.kind), ['Secret', 'StatefulSet']);
    assert.deepEqual(docs[1], JSON.parse(JSON.stringify(objects[1])));
    const list = JSON.parse(renderData({ objects }, 'json'));
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 2);
  });
});
