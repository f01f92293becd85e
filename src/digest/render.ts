/**
 * The digest mail: an HTML part with inlined CSS (table layout, which every mail client renders) that
 * switches to dark colours where the client supports `prefers-color-scheme` (Apple Mail, iOS, Outlook
 * for Mac; Gmail applies its own inversion, which the neutral palette survives), a plain-text part,
 * and the RFC 8058 one-click unsubscribe headers. Every paper and user value is escaped. Links: the
 * paper here and on arXiv, signed feedback links, view in browser, settings, unsubscribe.
 */
import { escapeHtml } from '../mail/signin.ts';
import type { OutgoingMail } from '../mail/transport.ts';
import type { Paper } from '../store/papers.ts';
import type { Subscription } from '../store/subscriptions.ts';
import { makeDigestToken } from './tokens.ts';

/** One paper of the mail. */
export interface DigestEntry {
  paper: Paper;
  reason: string;
}

/** What a digest mail needs. */
export interface DigestMailInput {
  subscription: Subscription;
  sendId: number;
  period: string;
  entries: DigestEntry[];
  baseUrl: string;
  /** The From address (its mailbox is named in the mailto: unsubscribe). */
  mailFrom: string;
  key: Buffer;
}

/** A rendered digest: the mail, and its HTML (the same page is served by "view in browser"). */
export interface RenderedDigest {
  mail: OutgoingMail;
  html: string;
  links: { unsubscribe: string; view: string; feedback: Array<{ paperId: string; more: string; notInterested: string }> };
}

const ABSTRACT_CHARS = 300;

function shortAbstract(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= ABSTRACT_CHARS) return t;
  const cut = t.slice(0, ABSTRACT_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), ABSTRACT_CHARS - 40))}…`;
}

function authorLine(authors: string[]): string {
  return authors.length > 6 ? `${authors.slice(0, 5).join(', ')} and ${authors.length - 5} more` : authors.join(', ');
}

/** Human name of a period: "Friday 27 November 2026" / "week 48 of 2026". */
export function periodTitle(period: string): string {
  const [kind, value] = period.split(':') as [string, string];
  if (kind === 'weekly') {
    const m = /^(\d{4})-W(\d{2})$/.exec(value);
    return m ? `week ${Number(m[2])} of ${m[1]}` : value;
  }
  const d = new Date(`${value}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The mailbox of a From value (`Name <a@b>` → `a@b`). */
function mailbox(from: string): string {
  return /<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? from.trim();
}

/** Builds the digest mail and its browser view. */
export function renderDigest(i: DigestMailInput): RenderedDigest {
  const { subscription: sub, baseUrl, key } = i;
  const s = { s: sub.id };
  const unsubscribe = `${baseUrl}/unsubscribe?token=${makeDigestToken(key, 'digest-unsubscribe', s, sub.email)}`;
  const view = `${baseUrl}/digest/view/${i.sendId}?token=${makeDigestToken(key, 'digest-view', { ...s, d: i.sendId }, sub.email)}`;
  const settings = `${baseUrl}/settings`;
  const feedback = i.entries.map((e) => ({
    paperId: e.paper.id,
    more: `${baseUrl}/digest/feedback?token=${makeDigestToken(key, 'digest-feedback', { ...s, p: e.paper.id, k: 'more' }, sub.email)}`,
    notInterested: `${baseUrl}/digest/feedback?token=${makeDigestToken(key, 'digest-feedback', { ...s, p: e.paper.id, k: 'not_interested' }, sub.email)}`,
  }));
  const site = new URL(baseUrl).host;
  const title = periodTitle(i.period);
  const cadence = sub.cadence === 'weekly' ? 'weekly' : 'daily';
  const subject = `Paperboy ${cadence} digest: ${i.entries.length} paper${i.entries.length === 1 ? '' : 's'} for ${title}`;

  const text = [
    `Your ${cadence} Paperboy digest for ${title} (${site})`,
    `View in your browser: ${view}`,
    '',
    ...i.entries.flatMap((e, n) => [
      `${n + 1}. ${e.paper.title.replace(/\s+/g, ' ')}`,
      `   ${authorLine(e.paper.authors)}`,
      `   Why: ${e.reason}`,
      `   ${shortAbstract(e.paper.abstract)}`,
      `   ${baseUrl}/papers/${e.paper.id}  ·  arXiv: https://arxiv.org/abs/${e.paper.id}`,
      `   More like this: ${feedback[n]!.more}`,
      `   Not interested: ${feedback[n]!.notInterested}`,
      '',
    ]),
    '--',
    `You get this because ${sub.email} subscribed to Paperboy digests at ${baseUrl}.`,
    `Change what you get: ${settings}`,
    `Unsubscribe with one click: ${unsubscribe}`,
  ].join('\n');

  const h = escapeHtml;
  const items = i.entries
    .map(
      (e, n) => `<tr><td class="card" style="padding:16px 0;border-bottom:1px solid #e5e7eb">
<p class="why" style="margin:0 0 4px;font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:.03em">${h(e.reason)}</p>
<h2 style="margin:0 0 4px;font-size:17px;line-height:1.35"><a class="title" href="${h(`${baseUrl}/papers/${e.paper.id}`)}" style="color:#111827;text-decoration:none">${h(e.paper.title)}</a></h2>
<p class="muted" style="margin:0 0 8px;font-size:13px;color:#4b5563">${h(authorLine(e.paper.authors))}</p>
<p style="margin:0 0 8px;font-size:14px;line-height:1.5">${h(shortAbstract(e.paper.abstract))}</p>
<p style="margin:0;font-size:13px"><a href="${h(`${baseUrl}/papers/${e.paper.id}`)}" style="color:#2563eb">Read on Paperboy</a> · <a href="${h(`https://arxiv.org/abs/${e.paper.id}`)}" style="color:#2563eb">arXiv</a> · <a href="${h(`https://arxiv.org/pdf/${e.paper.id}`)}" style="color:#2563eb">PDF</a> · <a href="${h(feedback[n]!.more)}" style="color:#059669">More like this</a> · <a href="${h(feedback[n]!.notInterested)}" style="color:#6b7280">Not interested</a></p>
</td></tr>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${h(subject)}</title>
<style>
@media (prefers-color-scheme: dark) {
  body, .page { background: #111827 !important; color: #e5e7eb !important; }
  .title { color: #f9fafb !important; }
  .muted, .why { color: #9ca3af !important; }
  .card { border-color: #374151 !important; }
}
</style></head>
<body style="margin:0;padding:0;background:#ffffff;color:#111827;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" style="background:#ffffff"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px">
<tr><td style="padding-bottom:8px;font-size:13px"><a href="${h(view)}" style="color:#2563eb">View in your browser</a></td></tr>
<tr><td><h1 style="margin:0 0 4px;font-size:22px">Your ${cadence} digest</h1><p class="muted" style="margin:0 0 8px;color:#4b5563">${h(title)} · ${h(site)}</p></td></tr>
${items}
<tr><td class="muted" style="padding-top:16px;font-size:12px;color:#6b7280;line-height:1.5">You get this because ${h(sub.email)} subscribed to Paperboy digests at ${h(baseUrl)}.<br>
<a href="${h(settings)}" style="color:#6b7280">Change what you get</a> · <a href="${h(unsubscribe)}" style="color:#6b7280">Unsubscribe</a></td></tr>
</table></td></tr></table>
</body></html>`;

  const headers: Record<string, string> = {
    // RFC 2369 + RFC 8058: the HTTPS URL takes a one-click POST; mailto: for clients that only mail.
    'List-Unsubscribe': `<${unsubscribe}>, <mailto:${mailbox(i.mailFrom)}?subject=unsubscribe%20digest%20${sub.id}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `Paperboy digest <digest.${site.replace(/:\d+$/, '')}>`,
    'Auto-Submitted': 'auto-generated',
    Precedence: 'bulk',
    // Which send this is: lets an operator (and the tests) match a received mail to its row.
    'X-Paperboy-Digest': `${i.sendId} ${i.period}`,
  };
  return { mail: { to: sub.email, subject, text, html, headers }, html, links: { unsubscribe, view, feedback } };
}
