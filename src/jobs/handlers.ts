/**
 * Job handlers: a registry from a job's `name` to the async function that runs it. Features add their
 * handlers here (arXiv harvests in issue 4, digests later); tests add their own to a registry they build.
 *
 * Handlers must be safe to run twice: a worker that dies after the work but before marking the job
 * done leaves it to be run again after its lease runs out.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Config } from '../config.ts';
import { digestPlanHandler, digestSendHandler } from '../digest/job.ts';
import { announcementsHandler } from '../ingest/announcements.ts';
import { harvestHandler } from '../ingest/harvest.ts';
import { embedPapersHandler } from '../search/embed/job.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/transport.ts';
import type { Semantic } from '../search/semantic.ts';
import { deleteFinishedJobs, type Job } from '../store/jobs.ts';
import { purgeExpiredAuth } from '../store/sessions.ts';

/** What a handler gets besides its payload. */
export interface JobContext {
  db: Kysely<Database>;
  log: Logger;
  job: Job;
  workerId: string;
  /**
   * Aborted when the worker lost the job's lease (another worker may already be running it): stop
   * early, your result will not be recorded.
   */
  signal: AbortSignal;
  /** The worker's clock. */
  now: () => Date;
}

/**
 * Runs one job. `payload` is the parsed JSON the job was enqueued with: validate it (it comes from a
 * row, possibly written by an older version). Throw to fail the attempt.
 */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/** name -> handler. A Map, so a stored name like `constructor` never resolves to an Object method. */
export type HandlerRegistry = Map<string, JobHandler>;

// Finished jobs are kept this long for inspection, then deleted by the `prune-jobs` job. A recurring
// slot's unique_key goes with its row, which is harmless: the scheduler only ever enqueues the current slot.
const KEEP_FINISHED_DAYS = 14;

/** The handlers every worker has. */
export function builtinHandlers(): HandlerRegistry {
  return new Map<string, JobHandler>([
    // Does nothing: proves the queue and a worker are alive.
    ['noop', async () => {}],
    [
      'prune-jobs',
      async (_payload, ctx) => {
        const before = new Date(ctx.now().getTime() - KEEP_FINISHED_DAYS * 86_400_000);
        const deleted = await deleteFinishedJobs(ctx.db, before);
        ctx.log.info({ job: 'prune-jobs', deleted }, 'pruned finished jobs');
      },
    ],
    [
      'purge-auth',
      async (_payload, ctx) => {
        const purged = await purgeExpiredAuth(ctx.db, ctx.now());
        ctx.log.info({ job: 'purge-auth', ...purged }, 'purged expired sessions and sign-in links');
      },
    ],
    // Digests: finds the subscriptions due in their own time zone and enqueues one `digest-send` each.
    ['digest-plan', digestPlanHandler],
  ]);
}

/**
 * The arXiv synchronisation handlers (registered in every worker; scheduled only when sync is on), and
 * `embed-papers`, which follows every import and harvest (vectors for search by meaning; always scheduled).
 */
export function ingestHandlers(config: Config): Record<string, JobHandler> {
  return { 'arxiv-harvest': harvestHandler(config), 'arxiv-announcements': announcementsHandler(config), 'embed-papers': embedPapersHandler(config) };
}

/** The digest send handler (needs the configuration's SMTP settings; a mailer can be given, e.g. by tests). */
export function digestHandlers(config: Config, o: { mailer?: Mailer; semantic?: Semantic } = {}): Record<string, JobHandler> {
  return { 'digest-send': digestSendHandler(config, o) };
}

/** The built-in handlers plus extra ones (a feature's, or a test's); extra ones win on a name clash. */
export function createHandlerRegistry(extra: Record<string, JobHandler> = {}): HandlerRegistry {
  const registry = builtinHandlers();
  for (const [name, handler] of Object.entries(extra)) registry.set(name, handler);
  return registry;
}
