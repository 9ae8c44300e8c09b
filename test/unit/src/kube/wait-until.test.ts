import assert from 'node:assert/strict';
import { BerthError } from '../../../../shared/errors.js';
import { waitUntil, Waker, type WaitUntil } from '../../../../src/kube/wait-until.js';

/** Longer than mocha lets a test run (10 s, 20 s in the whole suite): only a wake() ends it before the test fails. */
const FOREVER = 60_000;

describe('Waker (--wait: a watch event ends the poll interval early)', () => {
  it('sleeps the whole interval when nothing wakes it', async () => {
    const started = Date.now();
    await new Waker().sleep(150);
    assert.ok(Date.now() - started >= 140);
  });

  it('a wake() during the sleep ends it at once', async () => {
    const waker = new Waker();
    setTimeout(() => waker.wake(), 20);
    await waker.sleep(FOREVER);
  });

  it('a wake() between two sleeps is not lost: the next sleep returns at once, the one after waits', async () => {
    const waker = new Waker();
    waker.wake();
    waker.wake();
    await waker.sleep(FOREVER);
    const again = Date.now();
    await waker.sleep(150);
    assert.ok(Date.now() - again >= 140, 'two wakes before a sleep count once');
  });
});

describe('waitUntil (the one wait loop: --wait, install, uninstall)', () => {
  /** A wait over a scripted sequence of observations; the last one repeats. */
  function scripted(states: (number | Error)[], extra: Partial<WaitUntil<number, string>> = {}) {
    const lines: string[] = [];
    let calls = 0;
    const wait: WaitUntil<number, string> = {
      async observe() {
        const s = states[Math.min(calls++, states.length - 1)];
        if (s instanceof Error) throw s;
        return s;
      },
      describe: (n) => `at ${n}`,
      done: (n) => (n >= 3 ? `done at ${n}` : undefined),
      timedOut: (n) => new BerthError('TIMEOUT', `still at ${n}`),
      timeoutMs: 5_000,
      pollMs: 10,
      progress: (line) => lines.push(line),
      ...extra,
    };
    return { wait, lines, calls: () => calls };
  }

  it('returns what done() gives, reporting each change of what it saw once', async () => {
    const { wait, lines } = scripted([1, 1, 2, 2, 3]);
    assert.equal(await waitUntil(wait), 'done at 3');
    assert.deepEqual(lines, ['at 1', 'at 2', 'at 3']);
  });

  it('ends at the deadline with the error timedOut() makes from the last observation', async () => {
    const { wait } = scripted([1, 2], { timeoutMs: 100 });
    const started = Date.now();
    await assert.rejects(waitUntil(wait), (e: BerthError) => e.code === 'TIMEOUT' && e.message === 'still at 2');
    assert.ok(Date.now() - started < 1_000, 'the last sleep is cut to the deadline');
  });

  it('a hopeless state (done() throws) ends the wait at once', async () => {
    const { wait, calls } = scripted([1, 2], { done: (n) => { if (n === 2) throw new BerthError('LAUNCHER', 'cannot start'); return undefined; } });
    await assert.rejects(waitUntil(wait), /cannot start/);
    assert.equal(calls(), 2);
  });

  it('rides out an error transient() names, reporting it once, and fails on any other', async () => {
    const flaky = new BerthError('CLUSTER_UNREACHABLE', 'no answer');
    const { wait, lines } = scripted([1, flaky, flaky, 3], { transient: (e) => (e === flaky ? 'the cluster does not answer' : undefined) });
    assert.equal(await waitUntil(wait), 'done at 3');
    assert.deepEqual(lines, ['at 1', 'the cluster does not answer', 'at 3']);
    const other = scripted([new Error('boom')], { transient: () => undefined });
    await assert.rejects(waitUntil(other.wait), /boom/);
  });

  it('a watch event cuts the poll interval short, and the watch is stopped when the wait ends', async () => {
    let stopped = false;
    let wake = () => {};
    const { wait } = scripted([1, 3], {
      pollMs: FOREVER,
      watch: (w) => {
        wake = w;
        return { stop: () => (stopped = true) };
      },
    });
    const result = waitUntil(wait);
    setTimeout(() => wake(), 50);
    assert.equal(await result, 'done at 3');
    assert.ok(stopped);
  });

  it('a stream of events is not a busy loop: observations stay at least 200 ms apart', async () => {
    let wake = () => {};
    const times: number[] = [];
    const { wait } = scripted([1, 1, 1, 3], { pollMs: FOREVER, watch: (w) => ((wake = w), { stop: () => clearInterval(timer) }) });
    const observe = wait.observe;
    wait.observe = () => (times.push(Date.now()), observe());
    const timer = setInterval(() => wake(), 5);
    await waitUntil(wait);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 190, `observations ${times[i] - times[i - 1]} ms apart`);
  });
});
