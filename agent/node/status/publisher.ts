// Writes the node's labels and annotations, at most once per interval however often the cache
// changes: a 1 GiB download must not turn into thousands of Node patches.
import { buildNodePatch, type NodeStatusInput } from './node-status.js';

export interface PublisherDeps {
  readNodeLabels(): Promise<Record<string, string>>;
  mergePatchNode(patch: object): Promise<void>;
  /** The current desired status, read at flush time. */
  snapshot(): Omit<NodeStatusInput, 'currentLabels'>;
  log(message: string): void;
}

export class NodeStatusPublisher {
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private lastFlush = 0;
  private lastError = '';

  constructor(private readonly deps: PublisherDeps, private readonly minIntervalMs: number) {}

  /** Asks for a publish; coalesces with any already pending. */
  schedule(): void {
    this.dirty = true;
    if (this.timer || this.flushing) return;
    const wait = Math.max(0, this.lastFlush + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.lastFlush = Date.now();
    this.flushing = (async () => {
      try {
        const currentLabels = await this.deps.readNodeLabels();
        await this.deps.mergePatchNode(buildNodePatch({ ...this.deps.snapshot(), currentLabels }));
        this.lastError = '';
      } catch (error) {
        const message = (error as { body?: unknown; message?: string }).message ?? String(error);
        if (message !== this.lastError) this.deps.log(`cannot update the node's labels and annotations: ${message.split('\n')[0]}`);
        this.lastError = message;
        this.dirty = true;
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
    if (this.dirty) this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
