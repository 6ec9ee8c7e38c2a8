// /healthz of the web and of the dispatcher: each dependency is 'up' or 'down', and a probe
// that hangs counts as down, so a load balancer gets its answer in bounded time.

export type DependencyState = 'up' | 'down';

/** 'up' when `probe` settles within `timeoutMs`, else 'down' (with the reason to `onDown`). */
export async function probeState(
  probe: () => Promise<unknown>,
  timeoutMs: number,
  onDown: (error: unknown) => void = () => {},
): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'up';
  } catch (error) {
    onDown(error);
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
