/**
 * Spaces the letters one instance hands to the mail server: at most `perSecond` in all and `perDomain` to
 * one recipient domain (mail providers throttle or blacklist a sender that floods them). The mail worker
 * sends one letter at a time, so waiting here holds the queue back rather than dropping anything.
 */
export function createThrottle(
  rate: { perSecond: number; perDomain: number },
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): (address: string) => Promise<void> {
  let nextAny = 0;
  const nextByDomain = new Map<string, number>();
  return async (address) => {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const now = clock.now();
    const at = Math.max(now, nextAny, nextByDomain.get(domain) ?? 0);
    nextAny = at + 1000 / rate.perSecond;
    if (nextByDomain.size > 1000) for (const [d, t] of nextByDomain) if (t <= now) nextByDomain.delete(d);
    nextByDomain.set(domain, at + 1000 / rate.perDomain);
    if (at > now) await clock.sleep(at - now);
  };
}
