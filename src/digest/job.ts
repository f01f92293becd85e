/** The `digest-send` and `digest-plan` job handlers (registered by src/jobs/handlers.ts). */
import type { Config } from '../config.ts';
import type { JobHandler } from '../jobs/handlers.ts';
import { logMailer, type Mailer, smtpMailer } from '../mail/transport.ts';
import { loadSecret } from '../web/secret.ts';
import type { Semantic } from '../search/semantic.ts';
import { picksFromConfig } from './picks.ts';
import { planDigests } from './plan.ts';
import { sendDigest } from './send.ts';
import { createThrottle, type Throttle } from './throttle.ts';

/** Plans the digests due now (the `digest-plan` schedule). */
export const digestPlanHandler: JobHandler = async (_payload, ctx) => {
  const planned = await planDigests(ctx.db, ctx.now());
  ctx.log.info({ job: 'digest-plan', planned: planned.length }, 'digests planned');
};

/**
 * The `digest-send` handler: `{sendId}` → sendDigest. One mailer (a pooled SMTP connection, or the log
 * without PAPERBOY_SMTP_URL) and one throttle (PAPERBOY_DIGEST_RATE) per process, made on first use.
 */
export function digestSendHandler(config: Config, o: { mailer?: Mailer; throttle?: Throttle; semantic?: Semantic } = {}): JobHandler {
  let mailer = o.mailer;
  // Opened on the first send with the worker's database; personal picks need the vector index.
  let picks: ReturnType<typeof picksFromConfig> | null = null;
  const throttle = o.throttle ?? createThrottle(config.digestRate);
  return async (payload, ctx) => {
    const sendId = (payload as { sendId?: unknown } | null)?.sendId;
    if (typeof sendId !== 'number' || !Number.isSafeInteger(sendId)) {
      ctx.log.error({ payload }, 'digest-send job without a numeric sendId: ignored');
      return;
    }
    mailer ??= config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, { pool: true }) : logMailer(ctx.log, config.mailFrom);
    const key = await loadSecret(ctx.db, config);
    if (picks === null) picks = picksFromConfig(ctx.db, config, ctx.log, o.semantic);
    const outcome = await sendDigest(
      { db: ctx.db, mailer, config, log: ctx.log, key, throttle, now: ctx.now, signal: ctx.signal, picks },
      sendId,
      { lastAttempt: ctx.job.attempts >= ctx.job.maxAttempts },
    );
    ctx.log.debug({ send: sendId, outcome }, 'digest-send finished');
  };
}
