import { Flags } from '@oclif/core';
import { BerthCommand } from '../base-command.js';
import { IMAGE_CACHE_BUDGET, SYSTEM_NAMESPACE, UserRoles } from '../../shared/contract.js';
import { installBerth, type InstallResult } from '../ops/install-berth.js';
import { printer } from '../output/print.js';
import { supportedRange } from '../version/server-support.js';

export default class Install extends BerthCommand {
  static override summary = 'Install berth on the cluster: namespace, RBAC, image catalog and the node agent.';
  static override description = `Applies the manifests shipped with the plugin (the same files as \`kubectl apply -k manifests/\`) with server-side apply, then waits until the agent DaemonSet is ready on every node and each agent has reported whether its node can run VMs (label berth.dev/node).

Running it again is safe: unchanged objects stay as they are, and the image catalog (${SYSTEM_NAMESPACE}/berth-images) is never rewritten once it exists, so images you added stay.

It also installs the ClusterRoles for VM users: ${UserRoles.vmAdmin} (every VM command) and ${UserRoles.vmViewer} (ls only), aggregated into the built-in admin, edit and view roles; bind one in a namespace with kubectl create rolebinding NAME --clusterrole=${UserRoles.vmAdmin} --user=USER -n NAMESPACE.

Each node's agent caches the catalog's images within a budget: it keeps --disk-reserve of the cache's file system (/var/lib/berth/images) free, ${IMAGE_CACHE_BUDGET.diskReserve} by default, well clear of the kubelet's default hard eviction thresholds (nodefs.available<10%, imagefs.available<15%), and holds at most --cache-max. An image that does not fit is not downloaded: \`kubectl berth images\` shows it as NoRoom, with the reason in -o wide, and the node gets an ImageDoesNotFit Event. To make room for an image a VM needs, the agent evicts cached images no VM uses, least recently used first. Give the flags again on every install: an install without them puts the defaults back.

kubectl-berth supports Kubernetes ${supportedRange()}; on an older cluster install warns and goes ahead.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --image registry.example.com/kubectl-berth:0.1.0',
    '<%= config.bin %> <%= command.id %> --disk-reserve 30% --cache-max 100Gi',
    '<%= config.bin %> <%= command.id %> --dry-run -o yaml > berth.yaml',
  ];

  static override flags = {
    image: Flags.string({ summary: 'Container image of the agent and the VM launcher.', description: 'Default: $BERTH_IMAGE, else the image manifests/kustomization.yaml names (the one this plugin version was built for).' }),
    'dry-run': Flags.boolean({ summary: 'Print what would be applied; change nothing.' }),
    output: Flags.string({ char: 'o', summary: 'Print the objects applied (or, with --dry-run, that would be): yaml, json or name.', options: ['yaml', 'json', 'name'], helpGroup: 'OUTPUT' }),
    wait: Flags.boolean({ summary: 'Wait until every node reports its agent ready.', default: true, allowNo: true }),
    timeout: Flags.string({ summary: 'How long to wait for the agents, e.g. 90s or 5m.', default: '5m' }),
    'disk-reserve': Flags.string({ summary: `Free space the image cache keeps on its node's file system: a share (${IMAGE_CACHE_BUDGET.diskReserve}, the default) or a size (50Gi).`, helpGroup: 'IMAGE CACHE' }),
    'cache-max': Flags.string({ summary: 'Most the image cache may hold on each node, e.g. 100Gi (default: none, only the reserve limits it).', helpGroup: 'IMAGE CACHE' }),
  };

  async run(): Promise<InstallResult> {
    const { flags } = await this.parse(Install);
    const request = { image: flags.image, dryRun: flags['dry-run'], wait: flags.wait, timeout: flags.timeout, diskReserve: flags['disk-reserve'], cacheMax: flags['cache-max'] };
    return installBerth(request, { connect: () => this.cluster(flags), note: (m) => this.note(m), print: printer(flags.output) });
  }
}
