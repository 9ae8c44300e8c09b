// Undo steps, run newest first: whatever the launcher set up is taken down again, whether the VM
// ran and stopped or a later step failed half-way.
import type { Log } from './log.js';

export class Cleanup {
  private readonly steps: { what: string; undo: () => Promise<void> }[] = [];

  constructor(private readonly log: Log) {}

  add(what: string, undo: () => Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Runs every undo step; one failing does not stop the others. Returns whether all succeeded. */
  async run(): Promise<boolean> {
    let ok = true;
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
      } catch (error) {
        ok = false;
        this.log('cleanup', `could not undo ${step.what}: ${(error as Error).message}`);
      }
    }
    return ok;
  }
}
