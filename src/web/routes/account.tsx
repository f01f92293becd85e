/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Account pages: sign in by e-mailed one-time link, sign out (here or everywhere), and settings
 * (display name, handle, personal API tokens). Also `GET /api/v1/me`, the smallest authenticated API
 * call, which tells a token's holder who they are.
 *
 * Sign-up is sign-in: a verified link for an unknown address creates the account (handle derived
 * from the address). The answer to a sign-in request is the same whether the address has an account,
 * has none, or is banned (no mail is sent to banned accounts), so the form cannot be used to find out
 * who has an account.
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { signInMail } from '../../mail/signin.ts';
import {
  consumeLoginToken,
  countUserSessions,
  createLoginToken,
  createSession,
  deleteSession,
  deleteUserSessions,
  LOGIN_TOKEN_TTL_MS,
} from '../../store/sessions.ts';
import { type ApiToken, createApiToken, listApiTokens, revokeApiToken } from '../../store/tokens.ts';
import { findOrCreateUserByEmail, getUserByEmail, normalizeEmail, touchSignIn, updateProfile, type User, UserError } from '../../store/users.ts';
import { clearSessionCookie, requireUser, safeNextPath, setSessionCookie } from '../auth.ts';
import { csrfField } from '../csrf.ts';
import type { AppDeps } from '../deps.ts';
import { checkRateLimit, clientIp } from '../rateLimit.ts';
import { renderPage } from '../views/page.tsx';
import { formBody, formText } from '../forms.ts';

/** Personal pages must never be stored by browsers or proxies. */
function noStore(c: Context): void {
  c.header('Cache-Control', 'no-store');
}

async function page(c: Context, deps: AppDeps, title: string, body: Child, status: ContentfulStatusCode = 200) {
  noStore(c);
  const p = await renderPage(deps, { title, description: title, noindex: true, status, children: body });
  return c.html(p.html, p.status);
}

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

function SignInForm({ c, email, next, error }: { c: Context; email?: string; next: string; error?: string }) {
  return (
    <form class="account-form" method="post" action="/signin">
      {csrfField(c)}
      <input type="hidden" name="next" value={next} />
      <label>
        E-mail address
        <input type="email" name="email" required autocomplete="email" maxlength={254} value={email ?? ''} />
        <span class="hint">We send you a link that signs you in. A first sign-in creates your account.</span>
      </label>
      {error ? <p class="form-error">{error}</p> : null}
      <button type="submit">Send me a sign-in link</button>
    </form>
  );
}

function SettingsView({ c, user, tokens, sessions, newToken, message, error }: {
  c: Context;
  user: User;
  tokens: ApiToken[];
  sessions: number;
  newToken?: { token: string; name: string };
  message?: string;
  error?: string;
}) {
  return (
    <div class="settings">
      <h1>Settings</h1>
      <p class="sub">
        Signed in as <strong>@{user.handle}</strong> ({user.email}){user.role !== 'user' ? <> · {user.role}</> : null}
      </p>
      {message ? <p class="form-ok">{message}</p> : null}
      {error ? <p class="form-error">{error}</p> : null}
      <section>
        <h2>Profile</h2>
        <form class="account-form" method="post" action="/settings">
          {csrfField(c)}
          <label>
            Display name
            <input type="text" name="display_name" maxlength={60} value={user.displayName ?? ''} />
            <span class="hint">Shown next to your submissions and comments; leave empty to show your handle.</span>
          </label>
          <label>
            Handle
            <input type="text" name="handle" required minlength={2} maxlength={30} pattern="[a-z0-9][a-z0-9_\-]{1,29}" value={user.handle} />
            <span class="hint">2 to 30 characters: lower-case letters, digits, "_" or "-".</span>
          </label>
          <button type="submit">Save profile</button>
        </form>
      </section>
      <section>
        <h2>Personal API tokens</h2>
        <p>
          A token lets a script act as you on the write API: send it as <code>Authorization: Bearer pb_…</code>. Keep it secret; revoke
          it here when it is no longer needed.
        </p>
        {newToken ? (
          <div class="notice">
            <p>
              <strong>Your new token “{newToken.name}”.</strong> Copy it now: it is shown only this once.
            </p>
            <p class="secret-token" id="new-token">
              {newToken.token}
            </p>
          </div>
        ) : null}
        {tokens.length > 0 ? (
          <table class="token-list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{when(t.createdAt)}</td>
                  <td>{when(t.lastUsedAt)}</td>
                  <td>
                    <form class="inline-form" method="post" action={`/settings/tokens/${t.id}/revoke`}>
                      {csrfField(c)}
                      <button type="submit">Revoke</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="sub">You have no API tokens.</p>
        )}
        <form class="account-form" method="post" action="/settings/tokens">
          {csrfField(c)}
          <label>
            New token name
            <input type="text" name="name" required maxlength={60} placeholder="e.g. laptop script" />
          </label>
          <button type="submit">Create token</button>
        </form>
      </section>
      <section>
        <h2>Sessions</h2>
        <p>
          You are signed in on {sessions} {sessions === 1 ? 'browser' : 'browsers'}. Signing out everywhere ends every session,
          this one included; API tokens keep working.
        </p>
        <form class="account-form" method="post" action="/signout/everywhere">
          {csrfField(c)}
          <button type="submit">Sign out everywhere</button>
        </form>
      </section>
    </div>
  );
}

/** Registers the account routes. */
export function registerAccountRoutes(app: Hono, deps: AppDeps): void {
  const { db, config, log } = deps;
  const mailer = deps.mailer;
  if (!mailer) throw new Error('registerAccountRoutes needs deps.mailer (createApp sets it)');
  const signedIn = requireUser(deps);
  const minutes = Math.round(LOGIN_TOKEN_TTL_MS / 60_000);

  app.get('/signin', async (c) => {
    const next = safeNextPath(c.req.query('next'));
    const user = c.var.user;
    if (user) {
      return page(
        c,
        deps,
        'Signed in',
        <section class="notice">
          <h1>You are signed in</h1>
          <p>
            You are signed in as <strong>@{user.handle}</strong>. <a href={next}>Continue</a> · <a href="/settings">Settings</a>
          </p>
        </section>,
      );
    }
    return page(
      c,
      deps,
      'Sign in',
      <section>
        <h1>Sign in</h1>
        <SignInForm c={c} next={next} />
      </section>,
    );
  });

  app.post('/signin', async (c) => {
    const body = await formBody(c);
    const next = safeNextPath(formText(body.next));
    const raw = formText(body.email).slice(0, 1000);
    const email = normalizeEmail(raw);
    if (!email) {
      return page(
        c,
        deps,
        'Sign in',
        <section>
          <h1>Sign in</h1>
          <SignInForm c={c} next={next} email={raw} error="Please enter a valid e-mail address, such as ada@example.org." />
        </section>,
        400,
      );
    }
    const limited = checkRateLimit(c, deps, 'signin_ip', clientIp(c, config)) ?? checkRateLimit(c, deps, 'signin', email);
    if (limited) return limited;

    const existing = await getUserByEmail(db, email);
    if (existing?.bannedAt) {
      // Same answer as for everyone else (no enumeration), but no mail: a banned account cannot sign in.
      log.info({ user_id: existing.id }, 'sign-in link not sent: account banned');
    } else {
      const token = await createLoginToken(db, email, next === '/' ? null : next);
      const link = `${config.baseUrl}/signin/verify?token=${token}`;
      try {
        await mailer.send(signInMail({ to: email, link, baseUrl: config.baseUrl, minutes }));
      } catch (err) {
        log.error({ err: (err as Error).message }, 'sign-in mail could not be sent');
        return page(
          c,
          deps,
          'Mail not sent',
          <section class="notice">
            <h1>The mail could not be sent</h1>
            <p>Paperboy could not hand the sign-in mail to its mail server. Please try again in a few minutes.</p>
          </section>,
          503,
        );
      }
    }
    return page(
      c,
      deps,
      'Check your inbox',
      <section class="notice">
        <h1>Check your inbox</h1>
        <p>
          If <strong>{email}</strong> can receive mail, a sign-in link is on its way. It works once, within {minutes} minutes.
        </p>
        <p class="sub">
          No mail after a few minutes? Look in your spam folder, or <a href="/signin">ask for a new link</a>.
        </p>
      </section>,
    );
  });

  app.get('/signin/verify', async (c) => {
    // The token is in this URL: keep it out of Referer headers of anything the answer links to.
    c.header('Referrer-Policy', 'no-referrer');
    const used = await consumeLoginToken(db, c.req.query('token') ?? '');
    const refuse = (status: ContentfulStatusCode, heading: string, text: string) =>
      page(
        c,
        deps,
        heading,
        <section class="notice">
          <h1>{heading}</h1>
          <p>{text}</p>
          <p>
            <a class="button" href="/signin">
              Ask for a new link
            </a>
          </p>
        </section>,
        status,
      );
    if (!used) return refuse(400, 'This sign-in link does not work', 'It is invalid, has expired (links work for 15 minutes) or was already used. Ask for a new one.');
    const known = await getUserByEmail(db, used.email);
    if (known?.bannedAt) return refuse(403, 'This account is banned', 'A banned account cannot sign in.');
    const user = known ?? (await findOrCreateUserByEmail(db, used.email));
    await touchSignIn(db, user.id);
    // A new session id on every sign-in; the browser's previous session (if any) ends.
    if (c.var.sessionId) await deleteSession(db, c.var.sessionId);
    const session = await createSession(db, user.id);
    setSessionCookie(c, config, session.id, session.expiresAt);
    log.info({ user_id: user.id, new_account: !known }, 'signed in');
    noStore(c);
    return c.redirect(safeNextPath(used.nextPath), 303);
  });

  app.post('/signout', async (c) => {
    if (c.var.sessionId) await deleteSession(db, c.var.sessionId);
    clearSessionCookie(c, config);
    return c.redirect('/', 303);
  });

  app.post('/signout/everywhere', signedIn, async (c) => {
    const n = await deleteUserSessions(db, c.var.user!.id);
    log.info({ user_id: c.var.user!.id, sessions: n }, 'signed out everywhere');
    clearSessionCookie(c, config);
    return c.redirect('/', 303);
  });

  const settings = async (c: Context, extra: { newToken?: { token: string; name: string }; message?: string; error?: string; status?: ContentfulStatusCode } = {}) => {
    const user = c.var.user!;
    const [tokens, sessions] = await Promise.all([listApiTokens(db, user.id), countUserSessions(db, user.id)]);
    return page(c, deps, 'Settings', <SettingsView c={c} user={user} tokens={tokens} sessions={sessions} {...extra} />, extra.status);
  };

  app.get('/settings', signedIn, async (c) => {
    const saved = c.req.query('saved');
    return settings(c, { message: saved === 'profile' ? 'Profile saved.' : saved === 'revoked' ? 'Token revoked.' : undefined });
  });

  app.post('/settings', signedIn, async (c) => {
    const body = await formBody(c);
    try {
      const user = await updateProfile(db, c.var.user!.id, { handle: formText(body.handle).slice(0, 100), displayName: formText(body.display_name).slice(0, 1000) });
      c.set('user', user);
    } catch (err) {
      if (err instanceof UserError) return settings(c, { error: err.message, status: 400 });
      throw err;
    }
    return c.redirect('/settings?saved=profile', 303);
  });

  app.post('/settings/tokens', signedIn, async (c) => {
    const body = await formBody(c);
    try {
      const { token, record } = await createApiToken(db, c.var.user!.id, formText(body.name).slice(0, 1000));
      log.info({ user_id: c.var.user!.id, token_id: record.id }, 'api token created');
      return settings(c, { newToken: { token, name: record.name } });
    } catch (err) {
      if (err instanceof UserError) return settings(c, { error: err.message, status: 400 });
      throw err;
    }
  });

  app.post('/settings/tokens/:id/revoke', signedIn, async (c) => {
    const id = Number(c.req.param('id'));
    const ok = Number.isSafeInteger(id) && id > 0 && (await revokeApiToken(db, c.var.user!.id, id));
    // Someone else's token id answers exactly like an unknown one.
    if (!ok) return settings(c, { error: 'There is no such token among yours.', status: 404 });
    log.info({ user_id: c.var.user!.id, token_id: id }, 'api token revoked');
    return c.redirect('/settings?saved=revoked', 303);
  });

  app.get('/api/v1/me', signedIn, (c) => {
    const u = c.var.user!;
    noStore(c);
    return c.json({ handle: u.handle, displayName: u.displayName, role: u.role });
  });
}
