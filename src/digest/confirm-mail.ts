/** The double opt-in mail of an address-only digest subscription: one link to confirm, nothing else. */
import { escapeHtml } from '../mail/signin.ts';
import type { OutgoingMail } from '../mail/transport.ts';

/** Builds the confirmation mail for `to` with the absolute confirmation `link`. */
export function confirmMail(to: string, link: string, baseUrl: string, cadence: 'daily' | 'weekly'): OutgoingMail {
  const site = new URL(baseUrl).host;
  const subject = `Confirm your Paperboy ${cadence} digest (${site})`;
  const text = [
    'Hello,',
    '',
    `Someone (hopefully you) asked for the ${cadence} digest of top papers from Paperboy at ${baseUrl} to be sent to this address.`,
    'Nothing is sent until you confirm. Open this link to confirm:',
    '',
    link,
    '',
    'If you did not ask for it, ignore this mail and you will hear nothing more.',
  ].join('\n');
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello,</p>
<p>Someone (hopefully you) asked for the ${cadence} digest of top papers from Paperboy at ${escapeHtml(baseUrl)} to be sent to this address. Nothing is sent until you confirm.</p>
<p><a href="${escapeHtml(link)}">Confirm my subscription</a></p>
<p style="color: #555">Or copy this address into your browser: ${escapeHtml(link)}</p>
<p style="color: #555">If you did not ask for it, ignore this mail and you will hear nothing more.</p>
</body></html>`;
  return { to, subject, text, html };
}
