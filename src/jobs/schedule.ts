/**
 * Recurring jobs: SCHEDULES below is the one list of every recurring job (like lobsters' recurring
 * list or Plausible's crontab). A scheduler tick enqueues the *current slot* of every schedule as a
 * job whose unique_key is `name@slot`; the key is unique in the table, so any number of schedulers
 * (one per worker process) and any number of ticks enqueue each slot once, and it runs once.
 *
 * Only the current slot is enqueued, never a backlog: a scheduler that was down through several slots
 * runs the most recent one late, once, and skips the older ones (right for "harvest today", "send the
 * digest": running them all would repeat the same work). The handler sees its slot in `job.uniqueKey`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { addDays, feedDateOf } from '../time.ts';
import { enqueue } from './queue.ts';

/**
 * How often a schedule runs: every N minutes (slots aligned to the Unix epoch, so 60 means on the hour
 * UTC and 15 on :00/:15/:30/:45), or daily at a wall-clock time HH:MM in an IANA time zone.
 */
export type Every = { minutes: number } | { dailyAt: string; timeZone: string };

/** One recurring job. */
export interface Schedule {
  /** Unique among schedules; the first half of every slot's unique_key. */
  name: string;
  /** Handler name in src/jobs/handlers.ts. */
  handler: string;
  every: Every;
  payload?: unknown;
  maxAttempts?: number;
  /** Runs only when arXiv synchronisation is on (PAPERBOY_ARXIV_SYNC), so a test or offline instance never calls out. */
  arxiv?: true;
}

// arXiv announces at 20:00 America/New_York, Sunday to Thursday; its OAI-PMH records carry the day's
// datestamp shortly after, and the announcement feeds (rss.arxiv.org) are rebuilt at midnight New York time.
// Times are New York wall-clock so they follow arXiv across DST changes.
const ARXIV_ZONE = 'America/New_York';

/** Every recurring job of Paperboy. Digests join this list. */
export const SCHEDULES: readonly Schedule[] = [
  // Quiet hour for most communities; UTC so that it never lands in a DST gap.
  { name: 'prune-jobs', handler: 'prune-jobs', every: { dailyAt: '03:30', timeZone: 'UTC' } },
  { name: 'purge-auth', handler: 'purge-auth', every: { dailyAt: '03:40', timeZone: 'UTC' } },
  // New and updated papers of the evening's announcement, by OAI-PMH (resumes an interrupted window).
  { name: 'arxiv-harvest', handler: 'arxiv-harvest', every: { dailyAt: '22:00', timeZone: ARXIV_ZONE }, arxiv: true },
  // The day's announcement feeds, as soon as they are rebuilt; then a catch-up read in the morning that
  // fetches whatever the first run could not (a conditional GET makes an unchanged feed cost nothing).
  { name: 'arxiv-announcements', handler: 'arxiv-announcements', every: { dailyAt: '00:30', timeZone: ARXIV_ZONE }, arxiv: true },
  { name: 'arxiv-announcements-catch-up', handler: 'arxiv-announcements', every: { dailyAt: '06:30', timeZone: ARXIV_ZONE }, arxiv: true },
  // Digests: plans the sends that fell due in each subscriber's own zone (src/digest/plan.ts). Every 15
  // minutes rather than hourly so readers in :30 and :45 zones (India, Nepal, parts of Australia) get
  // theirs within a quarter of an hour of their chosen hour; a tick with nothing due costs one query.
  { name: 'digest-plan', handler: 'digest-plan', every: { minutes: 15 } },
  // Vectors for search by meaning: trains the built-in model on the first run (so a fresh instance
  // with demo data gets one minutes after start) and embeds whatever was imported since; a run with
  // nothing to do costs two queries.
  { name: 'embed-papers', handler: 'embed-papers', every: { minutes: 10 } },
];

/** The schedules an instance runs: all of them, less the arXiv ones when synchronisation is off. */
export function schedulesFor(o: { arxivSync: boolean }, schedules: readonly Schedule[] = SCHEDULES): Schedule[] {
  return schedules.filter((s) => o.arxivSync || !s.arxiv);
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Throws a message naming the bad schedule; called before a scheduler starts. */
export function validateSchedules(schedules: readonly Schedule[]): void {
  const seen = new Set<string>();
  for (const s of schedules) {
    if (!s.name || s.name.includes('@')) throw new Error(`schedule "${s.name}": a name is required and may not contain @`);
    if (seen.has(s.name)) throw new Error(`schedule "${s.name}" is declared twice`);
    seen.add(s.name);
    if (!s.handler) throw new Error(`schedule "${s.name}": handler is required`);
    if ('minutes' in s.every) {
      if (!Number.isInteger(s.every.minutes) || s.every.minutes < 1) {
        throw new Error(`schedule "${s.name}": every.minutes must be a positive integer`);
      }
    } else {
      if (!HHMM.test(s.every.dailyAt)) throw new Error(`schedule "${s.name}": dailyAt must be HH:MM (24 h), got ${s.every.dailyAt}`);
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: s.every.timeZone });
      } catch {
        throw new Error(`schedule "${s.name}": unknown time zone ${s.every.timeZone}`);
      }
    }
  }
}

/** The UTC offset of a time zone at an instant, in milliseconds (positive east of Greenwich). */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` `hh:mm`. Two passes settle DST
 * changes; a time inside a spring-forward gap lands an hour off, which is fine for a daily slot.
 * Exported for the digest planner (src/digest/period.ts), which counts subscribers' hours the same way.
 */
export function zonedInstant(date: string, hh: number, mm: number, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let t = wall - zoneOffsetMs(wall, timeZone);
  t = wall - zoneOffsetMs(t, timeZone);
  return new Date(t);
}

/** The slot of a schedule that contains `now`: its label (in the unique_key) and when it began. */
export function currentSlot(every: Every, now: Date): { slot: string; startsAt: Date } {
  if ('minutes' in every) {
    const period = every.minutes * 60_000;
    const startsAt = new Date(Math.floor(now.getTime() / period) * period);
    return { slot: startsAt.toISOString(), startsAt };
  }
  const [hh, mm] = every.dailyAt.split(':').map(Number) as [number, number];
  let date = feedDateOf(now, every.timeZone);
  let startsAt = zonedInstant(date, hh, mm, every.timeZone);
  if (startsAt.getTime() > now.getTime()) {
    // Today's time has not come yet in that zone: the current slot is yesterday's.
    date = addDays(date, -1);
    startsAt = zonedInstant(date, hh, mm, every.timeZone);
  }
  return { slot: date, startsAt };
}

/** The unique_key of a schedule's slot. */
export function slotKey(schedule: Schedule, slot: string): string {
  return `${schedule.name}@${slot}`;
}

/**
 * One scheduler tick: enqueues the current slot of every schedule (a no-op for slots already
 * enqueued, by this or any other scheduler). Returns the unique keys it newly enqueued.
 */
export async function enqueueDueSlots(
  db: Kysely<Database>,
  schedules: readonly Schedule[] = SCHEDULES,
  now: Date = new Date(),
): Promise<string[]> {
  const enqueued: string[] = [];
  for (const s of schedules) {
    const { slot, startsAt } = currentSlot(s.every, now);
    const key = slotKey(s, slot);
    const id = await enqueue(db, s.handler, s.payload ?? {}, { uniqueKey: key, runAt: startsAt, maxAttempts: s.maxAttempts, now });
    if (id !== null) enqueued.push(key);
  }
  return enqueued;
}

/** A running scheduler loop. */
export interface Scheduler {
  /** Stops ticking; resolves once an in-flight tick has finished. */
  stop(): Promise<void>;
}

/**
 * Ticks now and then every `intervalMs` (default 30 s, well under the shortest slot). Run one in every
 * worker process: the unique keys make extra schedulers harmless, and no process is special. A failed
 * tick (database down) is logged and retried at the next interval.
 */
export function startScheduler(o: {
  db: Kysely<Database>;
  log: Logger;
  schedules?: readonly Schedule[];
  intervalMs?: number;
  now?: () => Date;
}): Scheduler {
  const schedules = o.schedules ?? SCHEDULES;
  validateSchedules(schedules);
  const intervalMs = o.intervalMs ?? 30_000;
  const clock = o.now ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const keys = await enqueueDueSlots(o.db, schedules, clock());
      for (const key of keys) o.log.info({ job: key }, 'recurring job enqueued');
    } catch (err) {
      o.log.error({ err }, 'scheduler tick failed; retrying at the next tick');
    }
  };
  const loop = () => {
    inFlight = tick().then(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
