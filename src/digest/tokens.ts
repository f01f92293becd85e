/**
 * Signed tokens of digest links (unsubscribe, feedback, view in browser). A token is
 * `base64url(JSON payload).signature`, the signature an HMAC (src/web/secret.ts) over the purpose,
 * the payload AND the subscription's current address. The address is not in the link, yet a token
 * only verifies for the subscription and address it was made for: editing the id in it, or using it
 * after the subscription moved to another address, fails. Tokens do not expire: an unsubscribe link
 * in a year-old mail must still work (RFC 8058 asks for that).
 */
import type { DB } from '../db/connect.ts';
import { getSubscription, type Subscription } from '../store/subscriptions.ts';
import { sign, verifySignature } from '../web/secret.ts';

/** What a token is for; a token made for one purpose is refused for every other. */
export type DigestPurpose = 'digest-unsubscribe' | 'digest-feedback' | 'digest-view';

/** What a token carries: the subscription id `s`, and per purpose a paper `p` and kind `k`, or a send `d`. */
export interface DigestTokenPayload {
  s: number;
  p?: string;
  k?: 'more' | 'not_interested';
  d?: number;
}

const MAX_TOKEN_CHARS = 600;

function signed(key: Buffer, purpose: DigestPurpose, body: string, email: string): string {
  return sign(key, purpose, `${body}\n${email.toLowerCase()}`);
}

/** A token for `purpose`, bound to the subscription and its address. */
export function makeDigestToken(key: Buffer, purpose: DigestPurpose, payload: DigestTokenPayload, email: string): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${signed(key, purpose, body, email)}`;
}

/** The subscription and payload of a valid token; null for a malformed, forged or re-addressed one. */
export async function verifyDigestToken(
  db: DB,
  key: Buffer,
  purpose: DigestPurpose,
  token: string | undefined | null,
): Promise<{ subscription: Subscription; payload: DigestTokenPayload } | null> {
  if (!token || token.length > MAX_TOKEN_CHARS) return null;
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  let payload: DigestTokenPayload;
  try {
    payload = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as DigestTokenPayload;
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object' || !Number.isSafeInteger(payload.s) || payload.s < 1) return null;
  const subscription = await getSubscription(db, payload.s);
  if (!subscription) return null;
  if (!verifySignature(key, purpose, `${m[1]}\n${subscription.email.toLowerCase()}`, m[2]!)) return null;
  return { subscription, payload };
}
