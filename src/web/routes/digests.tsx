/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Digest links and forms, server-rendered and minimal:
 * - `GET /digest/subscribe` + `POST /digest/subscribe`: the top-papers digest by address alone; a
 *   confirmation mail is sent and nothing else until it is confirmed (double opt-in). The answer is
 *   the same whatever the address's state, so the form cannot tell who subscribes.
 * - `GET /digest/confirm?token=` shows a button; `POST /digest/confirm` confirms. Two steps because
 *   mail scanners fetch links: a GET must not subscribe anyone.
 * - `GET /unsubscribe?token=` shows a button; `POST /unsubscribe?token=` unsubscribes: it is the
 *   RFC 8058 one-click target, posted by mail clients without cookies or CSRF token (exempt in csrf.ts;
 *   the signed token is the credential).
 * - `GET /digest/feedback?token=`: one-click "more like this" / "not interested".
 * - `GET /digest/view/{sendId}?token=`: a sent digest in the browser.
 * Tokens are signed and bound to the subscription and its address (src/digest/tokens.ts).
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { confirmMail } from '../../digest/confirm-mail.ts';
import { renderDigest } from '../../digest/render.ts';
import { entriesOfSend } from '../../digest/send.ts';
import { verifyDigestToken } from '../../digest/tokens.ts';
import { getDigestSend, recordFeedback } from '../../store/digests.ts';
import { confirmSubscription, disableSubscription, isValidTimeZone, requestAddressSubscription } from '../../store/subscriptions.ts';
import { normalizeEmail } from '../../store/users.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit, clientIp } from '../rateLimit.ts';
import { loadSecret } from '../secret.ts';
import { renderPage } from '../views/page.tsx';

async function page(c: Context, deps: AppDeps, title: string, body: Child, status: ContentfulStatusCode = 200) {
  c.header('Cache-Control', 'no-store');
  const p = await renderPage(deps, { title, description: title, noindex: true, status, children: <section class="notice">{body}</section> });
  return c.html(p.html, p.status);
}

const BAD_LINK = 'This link is not valid: it may be incomplete (copy the whole address from the mail) or not made by this site.';

async function formField(c: Context, name: string): Promise<string | undefined> {
  try {
    const v = (await c.req.parseBody())[name];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function SubscribeForm({ c, error }: { c: Context; error?: string }) {
  return (
    <form class="account-form" method="post" action="/digest/subscribe">
      {csrfField(c)}
      <label>
        E-mail address
        <input type="email" name="email" required maxlength={254} autocomplete="email" />
      </label>
      <label>
        How often
        <select name="cadence">
          <option value="daily">Daily</option>
          <option value="weekly">Weekly (Mondays)</option>
        </select>
      </label>
      <label>
        Hour (your time)
        <input type="number" name="hour" min={0} max={23} value="8" />
      </label>
      <label>
        Time zone
        <input type="text" name="timezone" value="UTC" maxlength={64} />
        <span class="hint">An IANA zone such as Europe/Paris or America/New_York.</span>
      </label>
      {error ? <p class="form-error">{error}</p> : null}
      <button type="submit">Send me a confirmation link</button>
    </form>
  );
}

/** Registers the digest pages and links. */
export function registerDigestRoutes(app: Hono, deps: AppDeps): void {
  const now = () => (deps.now ? deps.now() : new Date());
  const key = () => loadSecret(deps.db, deps.config);

  app.get('/digest/subscribe', (c) =>
    page(c, deps, 'Get the top papers by e-mail', [<h1>Get the top papers by e-mail</h1>, <SubscribeForm c={c} />]),
  );

  app.post('/digest/subscribe', async (c) => {
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    const email = normalizeEmail(str('email'));
    const cadence = str('cadence') === 'weekly' ? 'weekly' : 'daily';
    const hour = str('hour') === '' ? 8 : Number(str('hour'));
    const timezone = str('timezone') || 'UTC';
    const problem = !email
      ? 'Please enter a valid e-mail address.'
      : !Number.isInteger(hour) || hour < 0 || hour > 23
        ? 'The hour is a whole number from 0 to 23.'
        : !isValidTimeZone(timezone)
          ? 'The time zone is not one we know; write it like Europe/Paris.'
          : null;
    if (problem) return page(c, deps, 'Get the top papers by e-mail', [<h1>Get the top papers by e-mail</h1>, <SubscribeForm c={c} error={problem} />], 400);
    const limited = checkRateLimit(c, deps, 'signin', email!) ?? checkRateLimit(c, deps, 'signin_ip', clientIp(c, deps.config));
    if (limited) return limited;
    const r = await requestAddressSubscription(deps.db, email!, { cadence, hour, timezone }, now());
    if (r) {
      const link = `${deps.config.baseUrl}/digest/confirm?token=${r.token}`;
      try {
        await deps.mailer!.send(confirmMail(email!, link, deps.config.baseUrl, cadence));
      } catch (err) {
        deps.log.error({ err: (err as Error).message }, 'digest confirmation mail not sent');
        return page(c, deps, 'Mail not sent', <p>We could not send the confirmation mail just now. Please try again in a few minutes.</p>, 503);
      }
    }
    return page(c, deps, 'Check your mail', [
      <h1>Check your mail</h1>,
      <p>If this address can receive the digest, we have sent it a confirmation link. Nothing is sent until it is followed.</p>,
    ]);
  });

  app.get('/digest/confirm', (c) => {
    const token = c.req.query('token') ?? '';
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return page(c, deps, 'Invalid link', <p>{BAD_LINK}</p>, 400);
    return page(c, deps, 'Confirm your digest', [
      <h1>Confirm your digest</h1>,
      <form method="post" action="/digest/confirm">
        {csrfField(c)}
        <input type="hidden" name="token" value={token} />
        <button type="submit">Yes, send me the digest</button>
      </form>,
    ]);
  });

  app.post('/digest/confirm', async (c) => {
    const token = (await formField(c, 'token')) ?? '';
    const sub = await confirmSubscription(deps.db, token, now());
    if (!sub) return page(c, deps, 'Invalid link', <p>This confirmation link is not valid or was already used.</p>, 400);
    deps.log.info({ subscription: sub.id }, 'digest subscription confirmed');
    return page(c, deps, 'Subscribed', [
      <h1>You are subscribed</h1>,
      <p>
        The {sub.cadence} digest will reach {sub.email} at {String(sub.hour).padStart(2, '0')}:00 ({sub.timezone}). Every mail has a one-click unsubscribe link.
      </p>,
    ]);
  });

  app.get('/unsubscribe', async (c) => {
    const token = c.req.query('token');
    const v = await verifyDigestToken(deps.db, await key(), 'digest-unsubscribe', token);
    if (!v) return page(c, deps, 'Invalid link', <p>{BAD_LINK}</p>, 400);
    // No CSRF field on purpose: the POST is exempt (see csrf.ts) and the token authorises it.
    return page(c, deps, 'Unsubscribe', [
      <h1>Unsubscribe</h1>,
      <p>Stop sending Paperboy digests to {v.subscription.email}?</p>,
      <form method="post" action={`/unsubscribe?token=${token}`}>
        <button type="submit">Unsubscribe</button>
      </form>,
    ]);
  });

  app.post('/unsubscribe', async (c) => {
    const token = c.req.query('token') ?? (await formField(c, 'token'));
    const v = await verifyDigestToken(deps.db, await key(), 'digest-unsubscribe', token);
    if (!v) return page(c, deps, 'Invalid link', <p>{BAD_LINK}</p>, 400);
    const changed = await disableSubscription(deps.db, v.subscription.id, 'unsubscribed', now());
    if (changed) deps.log.info({ subscription: v.subscription.id }, 'digest unsubscribed');
    return page(c, deps, 'Unsubscribed', [<h1>You are unsubscribed</h1>, <p>No more digests will be sent to {v.subscription.email}.</p>]);
  });

  app.get('/digest/feedback', async (c) => {
    const v = await verifyDigestToken(deps.db, await key(), 'digest-feedback', c.req.query('token'));
    const kind = v?.payload.k;
    if (!v || typeof v.payload.p !== 'string' || (kind !== 'more' && kind !== 'not_interested')) return page(c, deps, 'Invalid link', <p>{BAD_LINK}</p>, 400);
    await recordFeedback(deps.db, { subscriptionId: v.subscription.id, userId: v.subscription.userId, paperId: v.payload.p, kind }, now());
    return page(c, deps, 'Thanks', [
      <h1>Thanks for the feedback</h1>,
      <p>{kind === 'more' ? 'We will look for more papers like this one.' : 'We will not show you this paper again.'}</p>,
      <p>
        <a href={`/papers/${v.payload.p}`}>Back to the paper</a>
      </p>,
    ]);
  });

  app.get('/digest/view/:id', async (c) => {
    const id = Number(c.req.param('id'));
    const v = await verifyDigestToken(deps.db, await key(), 'digest-view', c.req.query('token'));
    if (!v || !Number.isSafeInteger(id) || v.payload.d !== id) return page(c, deps, 'Invalid link', <p>{BAD_LINK}</p>, 400);
    const send = await getDigestSend(deps.db, id);
    if (!send || send.subscriptionId !== v.subscription.id) return page(c, deps, 'Not found', <p>This digest no longer exists.</p>, 404);
    const entries = await entriesOfSend(deps.db, id);
    const { html } = renderDigest({
      subscription: v.subscription,
      sendId: id,
      period: send.period,
      entries,
      baseUrl: deps.config.baseUrl,
      mailFrom: deps.config.mailFrom,
      key: await key(),
    });
    c.header('Cache-Control', 'no-store');
    return c.html(html);
  });
}
