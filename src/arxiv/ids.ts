/** arXiv identifiers: parse, validate and normalize new-style (2509.08826) and old-style (hep-th/9901001) ids. */

export interface ArxivId {
  /** Canonical id without version. */
  id: string;
  /** Version number when the input named one (v2 → 2), else null. */
  version: number | null;
}

// New style since April 2007: YYMM.NNNN, and YYMM.NNNNN since January 2015.
const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
// Old style: archive[.SUBJECT-CLASS]/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
const OLD_STYLE = /^([a-z][a-z-]*)(?:\.[A-Za-z-]{2,})?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/;

/**
 * Parses an arXiv id, optionally with an `arXiv:` prefix, a version, or wrapped in an arxiv.org or
 * huggingface.co/papers URL. Returns null for anything that is not a plausible arXiv id.
 */
export function parseArxivId(input: string): ArxivId | null {
  if (typeof input !== 'string' || input.length > 300) return null;
  let s = input.trim();
  const url = /^(?:https?:\/\/)?(?:www\.|export\.)?(?:arxiv\.org|huggingface\.co\/papers|hf\.co\/papers)\/?(?:(?:abs|pdf|html|format)\/)?(.+)$/i.exec(s);
  if (url?.[1]) s = url[1].replace(/[?#].*$/, '').replace(/\.pdf$/i, '').replace(/\/+$/, '');
  s = s.replace(/^arxiv:/i, '');

  const n = NEW_STYLE.exec(s);
  if (n) {
    const month = Number(n[2]);
    const digits = n[3]!.length;
    const yymm = Number(n[1]) * 100 + month;
    if (month < 1 || month > 12) return null;
    // Four digits only from 0704 to 1412, five digits from 1501 on.
    if (digits === 4 && (yymm < 704 || yymm > 1412)) return null;
    if (digits === 5 && yymm < 1501) return null;
    return { id: `${n[1]}${n[2]}.${n[3]}`, version: n[4] ? Number(n[4]) : null };
  }
  const o = OLD_STYLE.exec(s);
  if (o) {
    const month = Number(o[3]);
    if (month < 1 || month > 12) return null;
    return { id: `${o[1]}/${o[2]}${o[3]}${o[4]}`, version: o[5] ? Number(o[5]) : null };
  }
  return null;
}

/** The canonical id without version, or null when the input is not an arXiv id. */
export function normalizeArxivId(input: string): string | null {
  return parseArxivId(input)?.id ?? null;
}

/** True for new-style ids; old-style ids contain a slash and need URL care. */
export function isNewStyle(id: string): boolean {
  return NEW_STYLE.test(id);
}
