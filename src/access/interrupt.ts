// Commands that stay until Ctrl-C (vnc, port-forward) must tear their listeners down before they
// exit, so SIGINT and SIGTERM become an event they wait for instead of an instant death.

export interface Interrupt {
  /** Resolves with the first SIGINT or SIGTERM. */
  signal: Promise<NodeJS.Signals>;
  /** Gives the signals back their default behaviour. */
  dispose(): void;
}

export function waitForInterrupt(): Interrupt {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (received) => resolve(received);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
