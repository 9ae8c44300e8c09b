// The one wait loop: --wait of the VM commands, install's wait for the agents and uninstall's
// wait for the namespace all run here. It observes, reports each change of what it sees, returns
// once the caller says done, gives up at once on what will not clear by itself, and ends at a
// deadline. Polling keeps it right whatever happens to a watch; a watch (best effort) only wakes
// the next observation early, so a change is seen at once instead of up to a poll later.
import { setTimeout as delay } from 'node:timers/promises';
import { BerthError } from '../../shared/errors.js';
import type { Connection } from './connect.js';

/** A sleep that a wake() ends early; wake() before sleep() makes the next sleep return at once. */
export class Waker {
  private pending = false;
  private wakeSleeper: (() => void) | undefined;

  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.pending = true;
  }

  async sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = undefined;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}

export interface WaitUntil<T, R> {
  /** Reads what the wait is about (one or a few GETs). */
  observe(): Promise<T>;
  /** The value to return when done, or undefined to go on; throws when waiting is hopeless. */
  done(observed: T): R | undefined;
  /** One line for what was observed; reported whenever it changes. */
  describe(observed: T): string;
  /** The error for a wait that ran out of time, from what was last observed. */
  timedOut(last: T): BerthError;
  timeoutMs: number;
  /** Gets each new line, with the time since the wait began. */
  progress(line: string, elapsedMs: number): void;
  /** How long to wait between observations when no event comes first. */
  pollMs: number;
  /** Starts watches that call `wake` on every event; stopped when the wait ends. */
  watch?(wake: () => void): { stop(): void };
  /** For an error worth riding out (a control plane restarting), the line to report; undefined fails the wait. */
  transient?(error: unknown): string | undefined;
  now?(): number;
}

/** Events closer together than this are one wake: a busy watch must not turn the wait into a busy loop. */
const MIN_GAP_MS = 200;

export async function waitUntil<T, R>(w: WaitUntil<T, R>): Promise<R> {
  const now = w.now ?? Date.now;
  const started = now();
  const waker = new Waker();
  const watch = w.watch?.(() => waker.wake());
  let last: string | undefined;
  const report = (line: string) => {
    if (line !== last) w.progress(line, now() - started);
    last = line;
  };
  const pause = async (ms: number) => {
    const from = now();
    await waker.sleep(ms);
    const gap = Math.min(ms, MIN_GAP_MS) - (now() - from);
    if (gap > 0) await delay(gap);
  };
  try {
    for (;;) {
      let observed: T;
      try {
        observed = await w.observe();
      } catch (error) {
        const line = w.transient?.(error);
        if (line === undefined || now() - started >= w.timeoutMs) throw error;
        report(line);
        await pause(w.pollMs);
        continue;
      }
      report(w.describe(observed));
      const result = w.done(observed);
      if (result !== undefined) return result;
      const elapsed = now() - started;
      if (elapsed >= w.timeoutMs) throw w.timedOut(observed);
      await pause(Math.min(w.pollMs, w.timeoutMs - elapsed));
    }
  } finally {
    watch?.stop();
  }
}

/** How long one watch request may last before the server ends it (it is opened again). */
const WATCH_SECONDS = 60;
/** A watch cut at once (an error) is opened again this much later, never in a busy loop. */
const REWATCH_MS = 1000;

/**
 * Watches `path` (a list URL such as /api/v1/namespaces/NS/pods) with `query` (a field or label
 * selector) and calls `wake` on every event, opening the watch again until stopped. Best effort:
 * a watch that cannot be opened only leaves the poll to notice changes.
 */
export function watchWake(conn: Connection, path: string, query: Record<string, string>, wake: () => void): { stop(): void } {
  let stopped = false;
  let current: AbortController | undefined;
  const open = async () => {
    if (stopped) return;
    try {
      const { Watch } = await import('@kubernetes/client-node');
      const onEnd = () => {
        current = undefined;
        if (!stopped) setTimeout(() => void open(), REWATCH_MS).unref();
      };
      const controller = await new Watch(conn.kubeConfig).watch(path, { ...query, timeoutSeconds: WATCH_SECONDS }, () => wake(), onEnd);
      if (stopped) controller.abort();
      else current = controller;
    } catch {
      // Polling notices the change instead, a poll later.
    }
  };
  void open();
  return {
    stop() {
      stopped = true;
      current?.abort();
    },
  };
}

/** Several watches stopped as one. */
export function watchAll(...watches: { stop(): void }[]): { stop(): void } {
  return { stop: () => watches.forEach((w) => w.stop()) };
}
