// One device plugin: serves the DevicePlugin service on its own unix socket in the kubelet's
// device-plugin directory and registers the socket with the kubelet. The kubelet deletes every
// plugin socket when it restarts, so a watcher notices and serves and registers again.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { buildAllocateResponse, buildDeviceList, buildPreferredAllocation, DEVICE_PLUGIN_API_VERSION, type SharedDevice } from './devices.js';
import { loadDevicePluginApi } from './proto.js';

export const KUBELET_SOCKET = 'kubelet.sock';

export type Log = (message: string) => void;

/** Called for PreStartContainer with the device IDs of the container about to start. */
export type PreStart = (deviceIds: readonly string[]) => Promise<void>;

export class DevicePluginServer {
  private server?: grpc.Server;
  private streams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  private healthy = true;
  /** Identity of kubelet.sock when we last registered, to notice a kubelet restart. */
  private kubeletSocketId = '';
  registered = false;

  constructor(
    readonly device: SharedDevice,
    private readonly pluginDir: string,
    private readonly log: Log,
    private readonly preStart?: PreStart,
  ) {}

  get socketPath(): string {
    return join(this.pluginDir, this.device.socketName);
  }

  setHealthy(healthy: boolean): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    const list = { devices: buildDeviceList(this.device, healthy) };
    for (const stream of this.streams) stream.write(list);
  }

  /** Serves, then registers; safe to call again after a kubelet restart. */
  async start(): Promise<void> {
    await this.stopServing();
    await fs.rm(this.socketPath, { force: true });
    const api = loadDevicePluginApi();
    const server = new grpc.Server();
    server.addService(api.DevicePlugin.service, {
      GetDevicePluginOptions: (_call: unknown, done: grpc.sendUnaryData<unknown>) =>
        done(null, this.options()),
      ListAndWatch: (stream: grpc.ServerWritableStream<unknown, unknown>) => {
        this.streams.add(stream);
        stream.write({ devices: buildDeviceList(this.device, this.healthy) });
        const forget = () => {
          if (!this.streams.delete(stream) || this.streams.size > 0) return;
          this.log(`${this.device.resourceName}: the kubelet stopped watching the device list`);
        };
        stream.on('cancelled', forget);
        stream.on('close', forget);
        stream.on('error', forget);
      },
      GetPreferredAllocation: (call: grpc.ServerUnaryCall<any, unknown>, done: grpc.sendUnaryData<unknown>) =>
        done(null, buildPreferredAllocation(call.request)),
      Allocate: (call: grpc.ServerUnaryCall<any, unknown>, done: grpc.sendUnaryData<unknown>) => {
        this.log(`${this.device.resourceName}: allocating ${this.device.devicePath} to ${call.request.container_requests?.length ?? 0} container(s)`);
        done(null, buildAllocateResponse(this.device, call.request));
      },
      PreStartContainer: (call: grpc.ServerUnaryCall<any, unknown>, done: grpc.sendUnaryData<unknown>) => {
        const ids: string[] = call.request.devicesIDs ?? [];
        if (!this.preStart) return done(null, {});
        // The kubelet holds the container's start until we answer, and turns an error into the
        // container's start failure, so the message reaches the pod's events.
        this.preStart(ids).then(
          () => done(null, {}),
          (error: Error) => {
            this.log(`${this.device.resourceName}: preparing the container of ${ids.join(', ')} failed: ${error.message}`);
            done({ code: grpc.status.FAILED_PRECONDITION, details: `berth agent: ${error.message}` });
          },
        );
      },
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${this.socketPath}`, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())),
    );
    this.server = server;
    this.kubeletSocketId = await this.kubeletSocketIdentity();
    await this.register();
  }

  private async register(): Promise<void> {
    const api = loadDevicePluginApi();
    const client = new api.Registration(`unix://${join(this.pluginDir, KUBELET_SOCKET)}`, grpc.credentials.createInsecure()) as any;
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = new Date(Date.now() + 10_000);
        client.Register(
          {
            version: DEVICE_PLUGIN_API_VERSION,
            endpoint: this.device.socketName,
            resource_name: this.device.resourceName,
            options: this.options(),
          },
          { deadline },
          (error: grpc.ServiceError | null) => (error ? reject(new Error(error.details || error.message)) : resolve()),
        );
      });
      this.registered = true;
      this.log(`${this.device.resourceName}: registered with the kubelet (${this.device.slots} slots of ${this.device.devicePath})`);
    } finally {
      client.close();
    }
  }

  private options() {
    return { pre_start_required: Boolean(this.preStart), get_preferred_allocation_available: true };
  }

  private async kubeletSocketIdentity(): Promise<string> {
    const st = await fs.stat(join(this.pluginDir, KUBELET_SOCKET)).catch(() => undefined);
    return st ? `${st.dev}:${st.ino}:${st.ctimeMs}` : '';
  }

  /**
   * True when the kubelet restarted (new kubelet.sock) or our socket was removed. (A second plugin
   * registering the same resource silently takes over: the kubelet keeps our stream open, so
   * there is nothing to notice; removing our socket file makes us register again.)
   */
  async needsRestart(): Promise<boolean> {
    if (!this.registered) return true;
    const ours = await fs.stat(this.socketPath).catch(() => undefined);
    if (!ours) return true;
    const id = await this.kubeletSocketIdentity();
    return id !== '' && id !== this.kubeletSocketId;
  }

  private async stopServing(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    this.registered = false;
    if (server) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.stopServing();
    await fs.rm(this.socketPath, { force: true });
  }
}

/** Keeps a set of plugins served and registered until stopped; checks every intervalMs. */
export function superviseDevicePlugins(plugins: DevicePluginServer[], intervalMs: number, log: Log): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const lastError = new Map<DevicePluginServer, string>();
  const tick = async () => {
    for (const plugin of plugins) {
      if (stopped) return;
      if (!(await plugin.needsRestart())) continue;
      try {
        await plugin.start();
        lastError.delete(plugin);
      } catch (error) {
        plugin.registered = false;
        const message = (error as Error).message;
        if (lastError.get(plugin) !== message) log(`${plugin.device.resourceName}: not registered (retrying every ${intervalMs / 1000} s): ${message}`);
        lastError.set(plugin, message);
      }
    }
  };
  running = tick();
  const timer = setInterval(() => {
    running = running.then(tick);
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all(plugins.map((p) => p.stop()));
    },
  };
}
