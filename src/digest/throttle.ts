/** A send-rate throttle: callers await their turn so that at most `perSecond` sends start each second. */
import { setTimeout as sleep } from 'node:timers/promises';

/** Waits for the next free slot; resolves at once when the rate is 0 (unlimited). */
export type Throttle = () => Promise<void>;

/**
 * A throttle of `perSecond` evenly spaced slots (5/s: one every 200 ms). Slots are handed out in call
 * order, so concurrent callers in one process queue up fairly. The limit is per process: N worker
 * processes send up to N × perSecond.
 */
export function createThrottle(perSecond: number): Throttle {
  if (!(perSecond > 0)) return async () => {};
  const gapMs = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = performance.now();
    const slot = Math.max(now, next);
    next = slot + gapMs;
    if (slot > now) await sleep(slot - now);
  };
}
