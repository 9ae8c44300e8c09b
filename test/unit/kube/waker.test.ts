import assert from 'node:assert/strict';
import { Waker } from '../../../src/kube/vm-wait.js';

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
