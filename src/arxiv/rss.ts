/**
 * arXiv's daily announcement feeds (rss.arxiv.org/rss/CAT in RSS 2.0, /atom/CAT in Atom): what was
 * announced on one day, each item new, a cross-list or a replacement. Detects the format from the
 * root element; anything else (an HTML error page, an empty or truncated body) throws FeedParseError.
 */
import { feedDateOf } from '../time.ts';
import { parseArxivId } from './ids.ts';
import { normalizeSpace, optionalText, splitAuthorList } from './snapshot.ts';
import { attrOf, childOf, FeedParseError, listOf, parseXmlBody, textOf, type XmlNode } from './xml-errors.ts';

export type AnnounceKind = 'new' | 'cross' | 'replace';

export interface FeedItem {
  id: string;
  version: number | null;
  /** replace-cross counts as 'replace'. */
  kind: AnnounceKind;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
}

export interface AnnouncementFeed {
  /** YYYY-MM-DD of the announcement in America/New_York (from the channel pubDate / feed updated); null if absent. */
  feedDate: string | null;
  items: FeedItem[];
  skipped: Array<{ id: string | null; reason: string }>;
}

/** arXiv announces on its own clock; the feed date is the calendar day there. */
const ARXIV_TIME_ZONE = 'America/New_York';
const ARRAYS: ReadonlySet<string> = new Set(['item', 'entry', 'category']);
const KINDS: Record<string, AnnounceKind> = { new: 'new', cross: 'cross', replace: 'replace', 'replace-cross': 'replace' };

/** Parses an RSS 2.0 or Atom announcement feed; throws FeedParseError for anything else. */
export function parseAnnouncementFeed(xml: string): AnnouncementFeed {
  const { root, node } = parseXmlBody(xml, ['rss', 'feed'], ARRAYS, 'announcement feed');
  if (root === 'rss') {
    const channel = childOf(node, 'channel');
    if (!channel) throw new FeedParseError('announcement feed: RSS without a <channel>');
    return collect(textOf(channel.pubDate), listOf(channel.item), (it) => ({
      guid: textOf(it.guid) ?? textOf(it.link),
      description: textOf(it.description),
      categories: listOf(it.category).map((c) => textOf(c)),
    }));
  }
  return collect(textOf(node.updated), listOf(node.entry), (e) => ({
    guid: textOf(e.id) ?? linkHref(e.link),
    description: textOf(e.summary),
    categories: listOf(e.category).map((c) => attrOf(c, 'term')),
  }));
}

function linkHref(v: unknown): string | null {
  return attrOf(listOf(v)[0], 'href');
}

interface Fields {
  guid: string | null;
  description: string | null;
  categories: Array<string | null>;
}

function collect(date: string | null, nodes: unknown[], fields: (n: XmlNode) => Fields): AnnouncementFeed {
  const feed: AnnouncementFeed = { feedDate: feedDate(date), items: [], skipped: [] };
  for (const n of nodes) {
    if (!n || typeof n !== 'object') {
      feed.skipped.push({ id: null, reason: 'empty item' });
      continue;
    }
    const r = item(n as XmlNode, fields(n as XmlNode));
    if ('reason' in r) feed.skipped.push(r);
    else feed.items.push(r);
  }
  return feed;
}

function feedDate(v: string | null): string | null {
  const s = v?.trim();
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : feedDateOf(new Date(t), ARXIV_TIME_ZONE);
}

function item(n: XmlNode, f: Fields): FeedItem | { id: string | null; reason: string } {
  const rawId = (f.guid ?? '').trim();
  // guid "oai:arXiv.org:2604.21935v1"; an Atom id or a link "https://arxiv.org/abs/2604.21935" also parse.
  const parsed = parseArxivId(rawId.replace(/^oai:arXiv\.org:/i, ''));
  if (!parsed) return { id: rawId || null, reason: rawId ? 'unparseable id' : 'missing id' };
  const description = f.description ?? '';
  // <arxiv:announce_type>, else the "Announce Type: new" line that starts the description.
  const type = (textOf(n.announce_type) ?? /Announce Type:\s*(\S+)/i.exec(description)?.[1] ?? '').trim().toLowerCase();
  const kind = KINDS[type];
  if (!kind) return { id: parsed.id, reason: type ? `unknown announce type "${type}"` : 'missing announce type' };
  const title = optionalText(textOf(n.title));
  if (!title) return { id: parsed.id, reason: 'missing title' };
  const version = parsed.version ?? versionInDescription(description, parsed.id);
  return {
    id: parsed.id,
    version,
    kind,
    title,
    abstract: abstractOf(description),
    authors: splitAuthorList(textOf(n.creator) ?? ''),
    categories: [...new Set(f.categories.map((c) => c?.trim() ?? '').filter((c) => c !== ''))],
  };
}

/** The description is "arXiv:ID Announce Type: KIND\nAbstract: TEXT"; the abstract is what follows "Abstract:". */
function abstractOf(description: string): string {
  const at = description.search(/(^|\s)Abstract:/);
  if (at >= 0) return normalizeSpace(description.slice(description.indexOf('Abstract:', at) + 'Abstract:'.length));
  return normalizeSpace(description.replace(/^\s*arXiv:\S+\s+Announce Type:\s*\S+/i, ''));
}

/** "arXiv:2604.21935v2 Announce Type: ..." when the guid carries no version. */
function versionInDescription(description: string, id: string): number | null {
  const m = /arXiv:(\S+)/.exec(description);
  const p = m?.[1] ? parseArxivId(m[1]) : null;
  return p && p.id === id ? p.version : null;
}
