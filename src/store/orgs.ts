/**
 * Organizations: the `daily_entries.organization` strings submitters give, grouped by a URL slug
 * (lower-case ASCII letters, digits and hyphens), so "Google DeepMind" and "google deepmind" share
 * one page. There is no organizations table: the names are free text on entries, and the number of
 * distinct names is small (one indexed DISTINCT scan), so the grouping is done here.
 */
import { createHash } from 'node:crypto';
import type { DB } from '../db/connect.ts';
import type { Entry, EntryWithPaper } from './entries.ts';
import { getEntriesForPapers } from './entries.ts';
import { getPapers } from './papers.ts';

/** Longest slug; longer names are cut (at a hyphen boundary when possible). */
const MAX_SLUG = 80;

/**
 * The slug of an organization name: `Google DeepMind` → `google-deepmind`. A name with no ASCII letter
 * or digit left (`清华大学`) gets `org-` + a short hash of the name (case and spacing folded), so it has a
 * page too; '' only for an empty name.
 */
export function organizationSlug(name: string): string {
  const ascii = asciiSlug(name);
  if (ascii) return ascii;
  const folded = name.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  return folded ? `org-${createHash('sha256').update(folded).digest('hex').slice(0, 10)}` : '';
}

function asciiSlug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s.length <= MAX_SLUG) return s;
  const cut = s.slice(0, MAX_SLUG);
  const dash = cut.lastIndexOf('-');
  return (dash > MAX_SLUG / 2 ? cut.slice(0, dash) : cut).replace(/-+$/, '');
}

/** True when `s` is a well-formed slug (what a route accepts before looking it up). */
export function isOrganizationSlug(s: string): boolean {
  return s.length > 0 && s.length <= MAX_SLUG && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s);
}

/** An organization: its slug, the name to show (the spelling with most papers), all spellings, counts. */
export interface Organization {
  slug: string;
  name: string;
  names: string[];
  papers: number;
  /** Latest feed date with one of its papers, YYYY-MM-DD. */
  latestFeedDate: string;
}

/** Every organization with at least one entry, most papers first, then by name. */
export async function listOrganizations(db: DB): Promise<Organization[]> {
  const rows = await db
    .selectFrom('daily_entries')
    .select((eb) => ['organization', eb.fn.countAll<number>().as('n'), eb.fn.max('feed_date').as('latest')])
    .where('organization', 'is not', null)
    .groupBy('organization')
    .execute();
  const bySlug = new Map<string, { names: Array<{ name: string; n: number }>; latest: string }>();
  for (const r of rows) {
    const name = r.organization!;
    const slug = organizationSlug(name);
    if (!slug) continue; // an empty or blank name has no page
    const g = bySlug.get(slug) ?? { names: [], latest: '' };
    g.names.push({ name, n: Number(r.n) });
    if (String(r.latest) > g.latest) g.latest = String(r.latest);
    bySlug.set(slug, g);
  }
  const orgs = [...bySlug].map(([slug, g]) => {
    const names = g.names.sort((a, b) => b.n - a.n || (a.name < b.name ? -1 : 1));
    return { slug, name: names[0]!.name, names: names.map((x) => x.name), papers: names.reduce((s, x) => s + x.n, 0), latestFeedDate: g.latest };
  });
  return orgs.sort((a, b) => b.papers - a.papers || (a.slug < b.slug ? -1 : 1));
}

/** The organization with this slug, or undefined. */
export async function getOrganization(db: DB, slug: string): Promise<Organization | undefined> {
  if (!isOrganizationSlug(slug)) return undefined;
  return (await listOrganizations(db)).find((o) => o.slug === slug);
}

/** One page of an organization's featured papers, newest feed date first. */
export async function organizationEntries(db: DB, org: Organization, o: { limit?: number; offset?: number } = {}): Promise<EntryWithPaper[]> {
  const rows = await db
    .selectFrom('daily_entries')
    .select('paper_id')
    .where('organization', 'in', org.names)
    .orderBy('feed_date', 'desc')
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(o.limit ?? 20, 1), 100))
    .offset(Math.max(o.offset ?? 0, 0))
    .execute();
  const ids = rows.map((r) => r.paper_id);
  const [papers, entries] = await Promise.all([getPapers(db, ids), getEntriesForPapers(db, ids)]);
  return papers.flatMap((paper) => {
    const entry: Entry | undefined = entries.get(paper.id);
    return entry ? [{ ...entry, paper } as EntryWithPaper] : [];
  });
}
