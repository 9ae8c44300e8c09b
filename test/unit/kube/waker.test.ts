import assert from 'node:assert/strict';
import { Waker } from '../../../src/kube/vm-wait.js';

describe('Waker (--wait: a watch event ends the poll interval early)', () => {
  it('sleeps the whole interval when nothing wakes it', async () => {
    const started = Date.now();
    await new Waker().sleep(150);
    assert.ok(Date.now() - started >= 140);
  });

  it('a wake() during the sleep ends it at once', async () => {
    const waker = new Waker();
    const started = Date.now();
    setTimeout(() => waker.wake(), 20);
    await waker.sleep(5000);
    assert.ok(Date.now() - started < 1000);
  });

  it('a wake() between two sleeps is not lost: the next sleep returns at once, the one after waits', async () => {
    const waker = new Waker();
    waker.wake();
    waker.wake();
    const started = Date.now();
    await waker.sleep(5000);
    assert.ok(Date.now() - started < 1000);
    const again = Date.now();
    await waker.sleep(150);
    assert.ok(Date.now() - again >= 140, 'two wakes before a sleep count once');
  });
});
