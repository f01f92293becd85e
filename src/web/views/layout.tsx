/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** The page shell every HTML page shares: head (title, description, canonical, viewport), header, footer. */
import { tryGetContext } from 'hono/context-storage';
import type { Child } from 'hono/jsx';
import { appScript } from './script.ts';
import { stylesheet } from './stylesheet.ts';

export type NavItem = 'daily' | 'new' | 'search' | 'trending';

export interface LayoutProps {
  /** Page title without the site name. */
  title: string;
  description: string;
  /** Absolute canonical URL. */
  canonical?: string;
  nav?: NavItem;
  /** Shows the "demo data" note in the footer. */
  demo?: boolean;
  /** Keeps crawlers off pages that are errors or endless parameter combinations. */
  noindex?: boolean;
  /** Atom feeds offered for autodiscovery (`<link rel="alternate">`); paths or absolute URLs. */
  feeds?: { title: string; href: string }[];
  children?: Child;
}

const ICON =
  "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 100 100'><text y='.9em' font-size='90'>📰</text></svg>";

/**
 * The header's account corner: the signed-in reader's handle (to settings) and a sign-out button, or a
 * sign-in link that comes back to this page. Read from the request context (web/auth.ts), so pages need
 * not pass the user down; anonymous pages render the same for everyone and stay cacheable.
 */
function AccountNav() {
  const c = tryGetContext();
  const user = c?.var.user;
  if (!c || !user) {
    const path = c ? new URL(c.req.url).pathname : '/';
    const next = path === '/' || path.startsWith('/signin') ? '' : `?next=${encodeURIComponent(path)}`;
    return (
      <nav class="account-nav" aria-label="Account">
        <a href={`/signin${next}`}>Sign in</a>
      </nav>
    );
  }
  return (
    <nav class="account-nav" aria-label="Account">
      <a href="/for-you">For you</a>
      <a href="/submit">Submit a paper</a>
      {user.role === 'moderator' || user.role === 'admin' ? <a href="/moderation">Moderation</a> : null}
      <a href="/settings/digest">Digest and feeds</a>
      <a href="/settings" title="Settings">
        @{user.handle}
      </a>
      {c.var.csrfToken ? (
        <form class="inline-form" method="post" action="/signout">
          <input type="hidden" name="_csrf" value={c.var.csrfToken} />
          <button type="submit" class="link-button">
            Sign out
          </button>
        </form>
      ) : null}
    </nav>
  );
}

/**
 * The signed-in reader's CSRF token for assets/app.js (requests without reload send it as X-CSRF-Token).
 * Only for signed-in readers, whose pages are never cached; anonymous pages stay identical for everyone.
 */
function CsrfMeta() {
  const c = tryGetContext();
  const token = c?.var.user ? c.var.csrfToken : undefined;
  return token ? <meta name="csrf-token" content={token} /> : null;
}

/** The full document; render with `renderDocument` so it gets a doctype. */
export function Layout(p: LayoutProps) {
  const current = (item: NavItem) => (p.nav === item ? 'page' : undefined);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} · Paperboy`}</title>
        <meta name="description" content={p.description} />
        {p.canonical ? <link rel="canonical" href={p.canonical} /> : null}
        {p.noindex ? <meta name="robots" content="noindex" /> : null}
        {(p.feeds ?? []).map((f) => (
          <link rel="alternate" type="application/atom+xml" title={f.title} href={f.href} />
        ))}
        <meta name="color-scheme" content="light dark" />
        <link rel="icon" href={ICON} />
        <link rel="stylesheet" href={stylesheet.href} />
        <CsrfMeta />
        <script src={appScript.href} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="wrap">
            <a class="brand" href="/">
              <span aria-hidden="true">▲</span>Paperboy
            </a>
            <nav class="site-nav" aria-label="Main">
              <a href="/" aria-current={current('daily')}>
                Daily Papers
              </a>
              <a href="/trending" aria-current={current('trending')}>
                Trending
              </a>
              <a href="/new" aria-current={current('new')}>
                New on arXiv
              </a>
              <a href="/search" aria-current={current('search')}>
                Search
              </a>
            </nav>
            {p.nav === 'search' ? null : (
              // The search page has its own, fuller form.
              <form class="header-search" action="/search" method="get" role="search">
                <input type="search" name="q" placeholder="Search papers, authors…" aria-label="Search papers" maxlength={500} />
              </form>
            )}
            <AccountNav />
          </div>
        </header>
        <main id="main" class="wrap">
          {p.children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            {p.demo ? (
              <p class="demo-note">
                <strong>Demo data.</strong> This instance shows a sample of real arXiv papers; its upvotes and feed dates come from a recorded
                sample, not from a live community.
              </p>
            ) : null}
            <p>
              Paperboy — a self-hosted Daily Papers site. Paper metadata from <a href="https://arxiv.org">arXiv</a> (CC0). Thank you to arXiv for
              use of its open access interoperability.
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

/** Serializes a page to HTML with its doctype (hono/jsx escapes every text node and attribute). */
export async function renderDocument(node: { toString(): string | Promise<string> }): Promise<string> {
  return `<!doctype html>${await node.toString()}`;
}
