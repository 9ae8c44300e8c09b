// mocha's spec reporter, plus two things CI and people need: every skipped test is listed again at
// the end with its reason, and the run closes with one plain "N passed, N failed, N skipped" line.
import Mocha from 'mocha';
import { skipReasons } from './skip.js';

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

class BerthReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    const skipped: string[] = [];
    runner.on(EVENT_TEST_PASS, () => passed++);
    runner.on(EVENT_TEST_FAIL, () => failed++);
    runner.on(EVENT_TEST_PENDING, (test) => skipped.push(test.fullTitle()));
    runner.once(EVENT_RUN_END, () => {
      if (skipped.length > 0) {
        process.stdout.write(`\nSKIPPED — these tests did not run and prove nothing:\n`);
        for (const title of skipped) {
          process.stdout.write(`  - ${title}${skipReasons.get(title) ? `: ${skipReasons.get(title)}` : ''}\n`);
        }
      }
      process.stdout.write(`\nmocha: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
    });
  }
}

export default BerthReporter;
