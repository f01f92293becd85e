/** The sign-in mail: the one-time link, in plain text and in simple HTML (every inserted value escaped). */
import type { OutgoingMail } from './transport.ts';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export interface SignInMailInput {
  to: string;
  /** The absolute sign-in link, token included. */
  link: string;
  /** The site's base URL, named in the mail so the reader knows where the request came from. */
  baseUrl: string;
  /** How long the link works. */
  minutes: number;
}

/** Builds the sign-in mail. */
export function signInMail({ to, link, baseUrl, minutes }: SignInMailInput): OutgoingMail {
  const site = new URL(baseUrl).host;
  const subject = `Your sign-in link for Paperboy (${site})`;
  const text = [
    `Hello,`,
    ``,
    `Someone (hopefully you) asked to sign in to Paperboy at ${baseUrl} with this address.`,
    `Open this link to sign in. It works once, within ${minutes} minutes:`,
    ``,
    link,
    ``,
    `If you did not ask for it, ignore this mail: nobody can sign in without the link.`,
    `A first sign-in creates your account.`,
  ].join('\n');
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello,</p>
<p>Someone (hopefully you) asked to sign in to Paperboy at ${escapeHtml(baseUrl)} with this address.
Open this link to sign in. It works once, within ${minutes} minutes:</p>
<p><a href="${escapeHtml(link)}">Sign in to Paperboy</a></p>
<p style="color: #555">Or copy this address into your browser: ${escapeHtml(link)}</p>
<p style="color: #555">If you did not ask for it, ignore this mail: nobody can sign in without the link. A first sign-in creates your account.</p>
</body></html>`;
  return { to, subject, text, html };
}
