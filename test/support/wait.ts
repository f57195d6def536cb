// Polling for something a test waits on (a server up, a watch caught up), bounded in time, with the
// last error in the timeout message so a failure says what was seen.
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : String(last)}` : ''}`);
}

/** Polls until check passes (returns without throwing) or the time is up; the last failure is rethrown. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 5000, stepMs = 50): Promise<void> {
  let last: unknown;
  const passed = await waitFor('the check to pass', async () => {
    try {
      await check();
      return true;
    } catch (error) {
      last = error;
      return undefined;
    }
  }, timeoutMs, stepMs).catch(() => false);
  if (!passed) throw last instanceof Error ? last : new Error(`timed out: ${String(last)}`);
}
