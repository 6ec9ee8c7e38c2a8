// A pass the dispatcher repeats in the background (the chase, retention): run, wait, run again,
// until stopped; stop() wakes the wait and waits for the pass in progress.

export interface Periodic {
  stop(): Promise<void>;
}

/**
 * Runs `pass` after `firstAfterMs` and then every `everyMs` after it finished; `pass` handles
 * its own errors.
 */
export function startPeriodic(
  pass: () => Promise<void>,
  everyMs: number,
  firstAfterMs = 0,
): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const loop = (async () => {
    if (firstAfterMs > 0) await wait(firstAfterMs);
    while (!stopped) {
      await pass();
      await wait(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake();
      await loop;
    },
  };
}
