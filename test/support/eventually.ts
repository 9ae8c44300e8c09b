// The tests' one poll: wait until a probe (of the cluster, a process, a file) says yes, and fail
// naming what never happened. It runs on the product's own wait loop (src/kube/wait-until.ts), so
// tests and commands wait the same way and a fix to one is a fix to both.
import { BerthError } from '../../shared/errors.js';
import { waitUntil } from '../../src/kube/wait-until.js';

export interface EventuallyOptions {
  /** Between probes; probes that run kubectl or ssh want a longer one. Default 250 ms. */
  intervalMs?: number;
  /** More to say when time runs out: an agent's log tail, a pod's state. */
  describe?: () => string;
  /** A reason to stop waiting at once (a process that exited); undefined waits on. */
  stopEarly?: () => string | undefined;
}

type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;
interface Seen<T> {
  value?: T | undefined | false;
  error?: unknown;
}

/**
 * Probes until `probe` returns something other than undefined or false, and returns it. A probe
 * that throws is tried again (the object may not exist yet); its last error is in the message when
 * time runs out.
 */
export function eventually<T>(what: string, timeoutMs: number, probe: Probe<T>, options: EventuallyOptions = {}): Promise<T> {
  return waitUntil<Seen<T>, T>({
    async observe() {
      try {
        return { value: await probe() };
      } catch (error) {
        return { error };
      }
    },
    done(seen) {
      if (seen.value !== undefined && seen.value !== false) return seen.value;
      const reason = options.stopEarly?.();
      if (reason !== undefined) throw new Error(`stopped waiting for ${what}: ${reason}`);
      return undefined;
    },
    describe: () => '',
    progress: () => undefined,
    timedOut(last) {
      const more = options.describe ? `; ${options.describe()}` : '';
      const error = last.error ? `; last error: ${(last.error as Error).message}` : '';
      return new BerthError('TIMEOUT', `timed out after ${timeoutMs / 1000} s waiting for ${what}${more}${error}`);
    },
    timeoutMs,
    pollMs: options.intervalMs ?? 250,
  });
}
