// A test that cannot run here must say so loudly and be counted as skipped, never pass silently.
export const skipReasons = new Map<string, string>();

/** Skips the current test (or hook's suite) with a reason that the reporter repeats at the end. */
export function skipLoudly(ctx: Mocha.Context, reason: string): never {
  const title = ctx.currentTest?.fullTitle() ?? ctx.test?.fullTitle() ?? '(unknown test)';
  skipReasons.set(title, reason);
  process.stderr.write(`\n  SKIP ${title}: ${reason}\n`);
  ctx.skip();
}
