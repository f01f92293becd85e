/** Shared parsing of page query parameters; each returns null for a value that must be rejected with 400. */

/** `page=N` (1-based); absent means 1. Capped so an offset can never be absurd. */
export function parsePage(raw: string | undefined, max = 10_000): number | null {
  if (raw === undefined || raw === '') return 1;
  if (!/^[1-9]\d{0,5}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= max ? n : null;
}

/** An arXiv category such as `cs.CL`, `hep-th` or `math.AG`; absent or empty means none. */
export function parseCategory(raw: string | undefined): string | undefined | null {
  if (raw === undefined || raw.trim() === '') return undefined;
  const s = raw.trim();
  return /^[A-Za-z][A-Za-z-]{0,19}(\.[A-Za-z-]{1,10})?$/.test(s) ? s : null;
}

/** A query string from the non-empty values, for links that keep the current filters. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
