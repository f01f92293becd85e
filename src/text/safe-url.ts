/** Validation of the community-edited https links (code repository, project page). */

/** Longest accepted link; real repository and project URLs are far shorter, and pages show them. */
export const MAX_URL_LENGTH = 2048;

// C0/C1 controls, every Unicode space, and the invisible formatting characters (zero-width, bidi
// overrides and isolates, BOM) that make a link read differently from where it goes.
const FORBIDDEN = /[\u0000-\u0020\u007f-\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff]/;

/**
 * The normalized URL when `input` is a plain absolute https link (host required, no user or
 * password, no whitespace or control characters, at most MAX_URL_LENGTH characters), else null.
 * Surrounding whitespace (a pasted newline) is ignored.
 */
export function safeHttpsUrl(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (s.length === 0 || s.length > MAX_URL_LENGTH) return null;
  if (FORBIDDEN.test(s)) return null;
  // The WHATWG parser forgives `https:host`, `https:\\host` and `HTTPS:/host`; people never mean
  // those, and accepting them would let a link read differently in text than where it leads.
  if (!/^https:\/\/[^/\\]/i.test(s) || s.includes('\\')) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.hostname === '' || u.username !== '' || u.password !== '') return null;
  const href = u.href;
  return href.length <= MAX_URL_LENGTH ? href : null;
}
