// Undo steps, run newest first: whatever the launcher set up is taken down again, whether the VM
// ran and stopped or a later step failed half-way.
import type { Log } from './log.js';

export class Cleanup {
  private readonly steps: { what: string; undo: () => Promise<void> }[] = [];

  constructor(private readonly log: Log) {}

  add(what: string, undo: () => Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Runs every undo step; one failing does not stop the others. */
  async run(): Promise<{ undone: string[]; failed: string[] }> {
    const undone: string[] = [];
    const failed: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
        undone.push(step.what);
      } catch (error) {
        failed.push(step.what);
        this.log('cleanup', `could not undo ${step.what}: ${(error as Error).message}`);
      }
    }
    return { undone, failed };
  }
}
