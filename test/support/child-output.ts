// Waiting for what a child process prints, instead of for time to pass: a test that must not act
// before a server listens or a session is attached waits for the line that says so.
import type { ResultPromise } from 'execa';

/** Resolves with the first match of `pattern` in what the child writes to `stream` from now on. */
export function waitForOutput(child: ResultPromise, stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child[stream]!.off('data', onData);
      reject(new Error(`no ${pattern} on ${stream} after ${timeoutMs} ms; got: ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        child[stream]!.off('data', onData);
        resolvePromise(match);
      }
    };
    child[stream]!.on('data', onData);
  });
}

/** Everything the child has written so far, for a command that runs on while the test goes on. */
export function collectOutput(child: ResultPromise): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { out: () => out, err: () => err };
}
