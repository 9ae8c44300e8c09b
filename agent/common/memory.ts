// Keeps the agent's memory flat while it streams an image. Each socket read allocates a fresh
// off-heap buffer; V8 frees them only when its young generation is collected, which its own
// heuristics postpone until tens of MB of such buffers pile up. A minor collection every few MB
// of transfer (about a millisecond each) bounds that, without a flag on the `node` command line.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gc: Gc | null | undefined;

function collector(): Gc | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  } catch {
    gc = null;
  }
  return gc;
}

/** Frees the garbage of short-lived stream buffers now (no-op where gc cannot be reached). */
export function collectStreamGarbage(): void {
  collector()?.({ type: 'minor' });
}
