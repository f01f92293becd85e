/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * `/settings/digest`, a signed-in reader's deliveries in one place: the digest subscription (cadence,
 * hour, time zone, what goes in, stop), the private feed URL (made, shown once, regenerated, revoked),
 * saved searches and follows. Also the small forms other pages embed: "Save this search" (/search) and
 * "Follow" (paper and author pages), posting to `/saved-searches` and `/follows` and coming back.
 * Plain forms with CSRF fields: everything works without JavaScript.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type FeedTokenInfo, getFeedTokenInfo, regenerateFeedToken, revokeFeedToken } from '../../store/feed-tokens.ts';
import { cleanFollowValue, type Follow, follow, FollowError, type FollowKind, isFollowing, listFollows, unfollow } from '../../store/follows.ts';
import { createSavedSearch, deleteSavedSearch, listSavedSearches, parseSavedSearch, type SavedSearch, SavedSearchError } from '../../store/saved-searches.ts';
import {
  DEFAULT_SETTINGS,
  disableSubscription,
  getUserSubscription,
  type IncludeFlags,
  isActive,
  parseSettings,
  saveUserSubscription,
  type Subscription,
  SubscriptionError,
} from '../../store/subscriptions.ts';
import type { User } from '../../store/users.ts';
import { requireUser, safeNextPath } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { formBody, formText } from '../forms.ts';
import { renderPage } from '../views/page.tsx';
import { authorFeedPath, categoryFeedPath, searchFeedPath } from '../feed-links.ts';
import { authorPath } from './authors.tsx';
import { errorAnswer } from './errors.tsx';
import { nowOf } from './submit.tsx';

const SETTINGS_PATH = '/settings/digest';

/** Messages for `?done=` after a redirect (a fixed list: the query cannot put text on the page). */
const DONE: Record<string, string> = {
  saved: 'Your digest settings are saved.',
  stopped: 'The digest is stopped; nothing more will be mailed. Save the settings again to restart it.',
  revoked: 'Your private feed URL is revoked: feed readers using it now get “not found”.',
  search_deleted: 'The saved search is deleted.',
  search_saved: 'The search is saved.',
  unfollowed: 'Unfollowed.',
  followed: 'Followed.',
};

const INCLUDE_LABELS: Array<[keyof IncludeFlags, string, string]> = [
  ['top', 'Top papers', 'the most upvoted papers of the day (or week)'],
  ['savedSearches', 'Saved searches', 'new papers matching your saved searches'],
  ['follows', 'Follows', 'new papers of the authors and categories you follow'],
  ['picks', 'Personal picks', 'papers picked for you from what you upvote and save'],
];

const HOURS = Array.from({ length: 24 }, (_, h) => h);

function statusLine(s: Subscription | undefined): string {
  if (!s) return 'You are not subscribed yet: choose the settings below and save to start the digest.';
  if (isActive(s)) {
    return `Active: a ${s.cadence} digest to ${s.email} at ${String(s.hour).padStart(2, '0')}:00 (${s.timezone})${s.cadence === 'weekly' ? ' on Mondays' : ''}.`;
  }
  if (s.disabledReason === 'unsubscribed') return `Unsubscribed (from a mail's link). Save the settings to start again.`;
  if (s.disabledReason === 'bounced') return `Stopped: mail to ${s.email} was refused several times. Save the settings to try again.`;
  if (s.confirmedAt === null) return `Waiting for the confirmation link mailed to ${s.email}; or save here to start at once.`;
  return 'Stopped. Save the settings to start again.';
}

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

interface ViewProps {
  c: Context;
  user: User;
  sub?: Subscription;
  token?: FeedTokenInfo;
  searches: SavedSearch[];
  follows: Follow[];
  newFeedUrl?: string;
  message?: string;
  error?: string;
}

function SubscriptionSection({ c, sub }: { c: Context; sub?: Subscription }) {
  const s = sub ?? DEFAULT_SETTINGS;
  return (
    <section>
      <h2>E-mail digest</h2>
      <p class="sub" id="digest-status">
        {statusLine(sub)}
      </p>
      <form class="account-form" method="post" action={SETTINGS_PATH}>
        {csrfField(c)}
        <label>
          How often
          <select name="cadence">
            <option value="daily" selected={s.cadence === 'daily'}>
              Daily
            </option>
            <option value="weekly" selected={s.cadence === 'weekly'}>
              Weekly (Mondays)
            </option>
          </select>
        </label>
        <label>
          Hour (your time)
          <select name="hour">
            {HOURS.map((h) => (
              <option value={String(h)} selected={h === s.hour}>
                {String(h).padStart(2, '0')}:00
              </option>
            ))}
          </select>
        </label>
        <label>
          Time zone
          <input type="text" name="timezone" value={s.timezone} maxlength={64} required />
          <span class="hint">An IANA zone such as Europe/Paris, America/New_York or Pacific/Auckland.</span>
        </label>
        <fieldset>
          <legend>What goes in (the digest and your private feed)</legend>
          {INCLUDE_LABELS.map(([key, label, hint]) => (
            <label class="check">
              <input type="checkbox" name={`include_${key}`} value="1" checked={s.include[key]} /> {label} <span class="hint">— {hint}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit">{sub && isActive(sub) ? 'Save settings' : 'Save and start the digest'}</button>
      </form>
      {sub && isActive(sub) ? (
        <form class="account-form" method="post" action={`${SETTINGS_PATH}/stop`}>
          {csrfField(c)}
          <button type="submit">Stop the digest</button>
        </form>
      ) : null}
    </section>
  );
}

function FeedTokenSection({ c, token, newFeedUrl }: { c: Context; token?: FeedTokenInfo; newFeedUrl?: string }) {
  return (
    <section>
      <h2>Private feed</h2>
      <p>
        A secret Atom feed URL with the same papers as your digest, for a feed reader. Anyone holding the URL can read the feed, so keep it
        private; make a new one (the old one stops working) or revoke it here at any time.
      </p>
      {newFeedUrl ? (
        <div class="notice">
          <p>
            <strong>Your private feed URL.</strong> Copy it into your feed reader now: it is shown only this once (we keep only a fingerprint
            of it).
          </p>
          <p class="secret-token" id="feed-url">
            {newFeedUrl}
          </p>
        </div>
      ) : null}
      {token ? (
        <p class="sub">
          A private feed URL is active (its token starts with <code>{token.prefix}…</code>), made {when(token.createdAt)}, last read{' '}
          {when(token.lastUsedAt)}.
        </p>
      ) : (
        <p class="sub">You have no private feed URL.</p>
      )}
      <form class="inline-form" method="post" action={`${SETTINGS_PATH}/feed-token`}>
        {csrfField(c)}
        <button type="submit">{token ? 'Make a new URL (the old one stops working)' : 'Create my private feed URL'}</button>
      </form>{' '}
      {token ? (
        <form class="inline-form" method="post" action={`${SETTINGS_PATH}/feed-token/revoke`}>
          {csrfField(c)}
          <button type="submit">Revoke</button>
        </form>
      ) : null}
    </section>
  );
}

function SavedSearchesSection({ c, searches }: { c: Context; searches: SavedSearch[] }) {
  return (
    <section>
      <h2>Saved searches</h2>
      {searches.length === 0 ? (
        <p class="sub">No saved searches yet. Search for something, then press “Save this search”.</p>
      ) : (
        <ul class="plain-list" id="saved-searches">
          {searches.map((s) => {
            const params = { q: s.query, category: s.filters.category };
            const search = `/search?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined) as [string, string][]).toString()}`;
            return (
              <li>
                <a href={search}>{s.name}</a>
                {s.name !== s.query ? <> (“{s.query}”)</> : null}
                {s.filters.category ? <> in {s.filters.category}</> : null} · <a href={searchFeedPath(params)}>Atom</a>{' '}
                <form class="inline-form" method="post" action={`/saved-searches/${s.id}/delete`}>
                  {csrfField(c)}
                  <input type="hidden" name="next" value={SETTINGS_PATH} />
                  <button type="submit" class="link-button">
                    Delete
                  </button>
                </form>
              </li>
            );
          })}
        </ul>
      )}
      <form class="account-form" method="post" action="/saved-searches">
        {csrfField(c)}
        <input type="hidden" name="next" value={SETTINGS_PATH} />
        <label>
          Search words
          <input type="text" name="q" required maxlength={300} placeholder="reward models" />
        </label>
        <label>
          Category (optional)
          <input type="text" name="category" maxlength={30} placeholder="cs.CL" />
        </label>
        <label>
          Name (optional)
          <input type="text" name="name" maxlength={100} />
        </label>
        <button type="submit">Save search</button>
      </form>
    </section>
  );
}

function FollowsSection({ c, follows }: { c: Context; follows: Follow[] }) {
  return (
    <section>
      <h2>Follows</h2>
      {follows.length === 0 ? (
        <p class="sub">You follow nobody yet. Paper and author pages have “Follow” buttons.</p>
      ) : (
        <ul class="plain-list" id="follows">
          {follows.map((f) => (
            <li>
              {f.kind === 'author' ? (
                <>
                  Author <a href={authorPath(f.value)}>{f.value}</a> · <a href={authorFeedPath(f.value)}>Atom</a>
                </>
              ) : (
                <>
                  Category {f.value} · <a href={categoryFeedPath(f.value)}>Atom</a>
                </>
              )}{' '}
              <UnfollowForm c={c} kind={f.kind} value={f.value} next={SETTINGS_PATH} />
            </li>
          ))}
        </ul>
      )}
      <form class="account-form" method="post" action="/follows">
        {csrfField(c)}
        <input type="hidden" name="next" value={SETTINGS_PATH} />
        <label>
          Follow
          <select name="kind">
            <option value="author">an author (name as written on papers)</option>
            <option value="category">a category (such as cs.CL)</option>
          </select>
        </label>
        <label>
          Name or category
          <input type="text" name="value" required maxlength={200} />
        </label>
        <button type="submit">Follow</button>
      </form>
    </section>
  );
}

function UnfollowForm({ c, kind, value, next, label = 'Unfollow' }: { c: Context; kind: FollowKind; value: string; next: string; label?: string }) {
  return (
    <form class="inline-form" method="post" action="/follows/remove">
      {csrfField(c)}
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="value" value={value} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class="link-button">
        {label}
      </button>
    </form>
  );
}

/**
 * A Follow / Unfollow button for an author or a category, for signed-in readers (pages render it only
 * then: it carries a CSRF field, and signed-in pages are never cached). `next` is where to come back.
 */
export function FollowButton({ c, kind, value, following, next }: { c: Context; kind: FollowKind; value: string; following: boolean; next: string }) {
  const what = kind === 'author' ? value : `category ${value}`;
  if (following) return <UnfollowForm c={c} kind={kind} value={value} next={next} label={`Unfollow ${what}`} />;
  return (
    <form class="inline-form" method="post" action="/follows">
      {csrfField(c)}
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="value" value={value} />
      <input type="hidden" name="next" value={next} />
      <button type="submit" class="link-button">
        Follow {what}
      </button>
    </form>
  );
}

/**
 * "Save this search" on /search: a form for a signed-in reader, a sign-in link for others (anonymous
 * pages are cached and must carry no CSRF field). Always with the search's Atom feed link.
 */
export function SaveSearchBox({ c, q, category, next, saved }: { c: Context; q: string; category?: string; next: string; saved: boolean }) {
  const feed = searchFeedPath({ q, category });
  return (
    <p class="save-search">
      {!c.var.user ? (
        <a href={`/signin?next=${encodeURIComponent(next)}`}>Sign in to save this search</a>
      ) : saved ? (
        <span>This search is saved (see <a href={SETTINGS_PATH}>Digest and feeds</a>).</span>
      ) : (
        <form class="inline-form" method="post" action="/saved-searches">
          {csrfField(c)}
          <input type="hidden" name="q" value={q} />
          {category ? <input type="hidden" name="category" value={category} /> : null}
          <input type="hidden" name="next" value={next} />
          <button type="submit">Save this search</button>
        </form>
      )}{' '}
      · <a href={feed}>Atom feed of this search</a>
    </p>
  );
}

/** The "Save this search" box for a search page, knowing whether the signed-in reader saved it already. */
export async function saveSearchBoxFor(c: Context, deps: AppDeps, q: string, category: string | undefined, next: string) {
  const user = c.var.user;
  const saved = user ? (await listSavedSearches(deps.db, user.id)).some((s) => s.query === q.trim() && (s.filters.category ?? '') === (category ?? '')) : false;
  return <SaveSearchBox c={c} q={q} category={category} next={next} saved={saved} />;
}

/**
 * The paper page's follow box for a signed-in reader (null for others, so anonymous pages stay
 * cacheable): a Follow / Unfollow button per category, and the authors in a list to pick from.
 */
export async function followBoxFor(c: Context, deps: AppDeps, paper: { id: string; authors: string[]; categories: string[] }, next: string) {
  const user = c.var.user;
  if (!user) return null;
  const mine = await listFollows(deps.db, user.id);
  const has = (kind: FollowKind, value: string) => mine.some((f) => f.kind === kind && f.value === value);
  const followed = paper.authors.filter((a) => has('author', a));
  const others = paper.authors.filter((a) => !has('author', a));
  return (
    <section class="follow-box" aria-label="Follow">
      <h2>Follow</h2>
      <p class="sub">New papers of what you follow come in your digest and private feed.</p>
      <p>
        {paper.categories.map((cat) => (
          <FollowButton c={c} kind="category" value={cat} following={has('category', cat)} next={next} />
        ))}
        {followed.map((a) => (
          <FollowButton c={c} kind="author" value={a} following={true} next={next} />
        ))}
      </p>
      {others.length > 0 ? (
        <form class="inline-form" method="post" action="/follows">
          {csrfField(c)}
          <input type="hidden" name="kind" value="author" />
          <input type="hidden" name="next" value={next} />
          <label>
            Author{' '}
            <select name="value">
              {others.slice(0, 200).map((a) => (
                <option value={a}>{a}</option>
              ))}
            </select>
          </label>{' '}
          <button type="submit">Follow author</button>
        </form>
      ) : null}
    </section>
  );
}

/** An author page's Follow / Unfollow button for a signed-in reader; null for others (cacheable pages). */
export async function authorFollowFor(c: Context, deps: AppDeps, name: string, next: string) {
  const user = c.var.user;
  if (!user) return null;
  let value: string;
  try {
    value = cleanFollowValue('author', name);
  } catch {
    return null; // a name no follow can hold (too short or long): no button
  }
  const following = await isFollowing(deps.db, user.id, 'author', value);
  return <FollowButton c={c} kind="author" value={value} following={following} next={next} />;
}

async function settingsPage(c: Context, deps: AppDeps, o: { newFeedUrl?: string; message?: string; error?: string; status?: ContentfulStatusCode } = {}) {
  const user = c.var.user!;
  const [sub, token, searches, follows] = await Promise.all([
    getUserSubscription(deps.db, user.id),
    getFeedTokenInfo(deps.db, user.id),
    listSavedSearches(deps.db, user.id),
    listFollows(deps.db, user.id),
  ]);
  const message = o.message ?? DONE[c.req.query('done') ?? ''];
  const p: ViewProps = { c, user, sub, token, searches, follows, newFeedUrl: o.newFeedUrl, message, error: o.error };
  c.header('Cache-Control', 'no-store');
  const page = await renderPage(deps, {
    title: 'Digest and feeds',
    description: 'Your e-mail digest, private feed, saved searches and follows.',
    noindex: true,
    status: o.status ?? 200,
    children: (
      <div class="settings">
        <h1>Digest and feeds</h1>
        <p class="sub">
          <a href="/settings">← Account settings</a>
        </p>
        {p.message ? <p class="form-ok">{p.message}</p> : null}
        {p.error ? <p class="form-error">{p.error}</p> : null}
        <SubscriptionSection c={c} sub={p.sub} />
        <FeedTokenSection c={c} token={p.token} newFeedUrl={p.newFeedUrl} />
        <SavedSearchesSection c={c} searches={p.searches} />
        <FollowsSection c={c} follows={p.follows} />
      </div>
    ),
  });
  return c.html(page.html, page.status);
}

/** Where a form goes back to: its `next` field when it is a local path, else the settings page. */
function backTo(body: Record<string, unknown>, done: string): string {
  const next = safeNextPath(formText(body.next));
  const target = next === '/' && formText(body.next) !== '/' ? SETTINGS_PATH : next;
  if (target !== SETTINGS_PATH) return target;
  return `${SETTINGS_PATH}?done=${done}`;
}

/** Registers the settings page and the save-search / follow form targets. */
export function registerDigestSettingsRoutes(app: Hono, deps: AppDeps): void {
  const signedIn = requireUser(deps);
  const { db, log } = deps;

  app.get(SETTINGS_PATH, signedIn, (c) => settingsPage(c, deps));

  app.post(SETTINGS_PATH, signedIn, async (c) => {
    const user = c.var.user!;
    const body = await formBody(c);
    const include = Object.fromEntries(INCLUDE_LABELS.map(([k]) => [k, formText(body[`include_${k}`]) !== '']));
    const hour = formText(body.hour).trim();
    let settings;
    try {
      settings = parseSettings({
        cadence: formText(body.cadence),
        hour: /^\d{1,2}$/.test(hour) ? Number(hour) : hour,
        timezone: formText(body.timezone).trim(),
        include,
      });
    } catch (err) {
      if (err instanceof SubscriptionError) return settingsPage(c, deps, { error: err.message, status: 400 });
      throw err;
    }
    const s = await saveUserSubscription(db, user, settings, { active: true, now: nowOf(deps) });
    log.info({ user_id: user.id, subscription: s.id }, 'digest settings saved');
    return c.redirect(`${SETTINGS_PATH}?done=saved`, 303);
  });

  app.post(`${SETTINGS_PATH}/stop`, signedIn, async (c) => {
    const sub = await getUserSubscription(db, c.var.user!.id);
    if (sub) await disableSubscription(db, sub.id, 'stopped', nowOf(deps));
    return c.redirect(`${SETTINGS_PATH}?done=stopped`, 303);
  });

  app.post(`${SETTINGS_PATH}/feed-token`, signedIn, async (c) => {
    const token = await regenerateFeedToken(db, c.var.user!.id, nowOf(deps));
    log.info({ user_id: c.var.user!.id }, 'feed token made');
    return settingsPage(c, deps, { newFeedUrl: `${deps.config.baseUrl}/feeds/me.atom?token=${token}` });
  });

  app.post(`${SETTINGS_PATH}/feed-token/revoke`, signedIn, async (c) => {
    if (await revokeFeedToken(db, c.var.user!.id)) log.info({ user_id: c.var.user!.id }, 'feed token revoked');
    return c.redirect(`${SETTINGS_PATH}?done=revoked`, 303);
  });

  app.post('/saved-searches', signedIn, async (c) => {
    const body = await formBody(c);
    const category = formText(body.category).trim();
    try {
      const input = parseSavedSearch({
        query: formText(body.q).slice(0, 1000),
        name: formText(body.name).slice(0, 1000) || undefined,
        filters: category ? { category } : undefined,
      });
      await createSavedSearch(db, c.var.user!.id, input, nowOf(deps));
    } catch (err) {
      // Saving the same search twice is what a double click does: it is saved, say so.
      if (err instanceof SavedSearchError && err.status === 409 && /already saved/.test(err.message)) return c.redirect(backTo(body, 'search_saved'), 303);
      if (err instanceof SavedSearchError) return errorAnswer(c, deps, err.status, err.message, [{ href: SETTINGS_PATH, label: 'Digest and feeds' }]);
      throw err;
    }
    return c.redirect(backTo(body, 'search_saved'), 303);
  });

  app.post('/saved-searches/:id/delete', signedIn, async (c) => {
    const body = await formBody(c);
    const raw = c.req.param('id');
    const ok = /^[1-9]\d{0,15}$/.test(raw) && (await deleteSavedSearch(db, c.var.user!.id, Number(raw)));
    // Someone else's id answers like an unknown one.
    if (!ok) return errorAnswer(c, deps, 404, 'There is no such saved search among yours.', [{ href: SETTINGS_PATH, label: 'Digest and feeds' }]);
    return c.redirect(backTo(body, 'search_deleted'), 303);
  });

  app.post('/follows', signedIn, async (c) => {
    const body = await formBody(c);
    const kind = formText(body.kind);
    if (kind !== 'author' && kind !== 'category') return errorAnswer(c, deps, 400, 'Follow an author or a category.');
    try {
      await follow(db, c.var.user!.id, kind, formText(body.value).slice(0, 1000), nowOf(deps));
    } catch (err) {
      if (err instanceof FollowError) return errorAnswer(c, deps, 400, err.message, [{ href: SETTINGS_PATH, label: 'Digest and feeds' }]);
      throw err;
    }
    return c.redirect(backTo(body, 'followed'), 303);
  });

  app.post('/follows/remove', signedIn, async (c) => {
    const body = await formBody(c);
    const kind = formText(body.kind);
    if (kind !== 'author' && kind !== 'category') return errorAnswer(c, deps, 400, 'Unfollow an author or a category.');
    let value: string;
    try {
      value = cleanFollowValue(kind, formText(body.value).slice(0, 1000));
    } catch (err) {
      if (err instanceof FollowError) return errorAnswer(c, deps, 400, err.message);
      throw err;
    }
    await unfollow(db, c.var.user!.id, kind, value);
    return c.redirect(backTo(body, 'unfollowed'), 303);
  });
}
