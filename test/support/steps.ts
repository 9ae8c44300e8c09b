// A chain of mocha tests where each step needs the ones before it (an end-to-end story on one VM):
// once a step fails, every later step fails at once, naming the step that broke, instead of each
// timing out on a VM that is not there.

export interface Chain {
  /** A test in the chain; with `links: false`, its failure does not stop the later steps. */
  step(title: string, body: (this: Mocha.Context) => Promise<void>, options?: { links: boolean }): void;
  /** The title of the step that broke, if one did. */
  readonly brokenAt: string | undefined;
}

export function chainOfSteps(): Chain {
  let brokenAt: string | undefined;
  return {
    get brokenAt() {
      return brokenAt;
    },
    step(title, body, options = { links: true }) {
      it(title, async function () {
        if (brokenAt) throw new Error(`not run: the chain broke at "${brokenAt}"`);
        try {
          await body.call(this);
        } catch (error) {
          if (options.links) brokenAt = title;
          throw error;
        }
      });
    },
  };
}
