/**
 * arXiv API `id_list` replies for the replay server, built from real material only:
 *
 * - the entries of the real 2026 API recordings (testdata/arxiv/api/arxivpy-2026-recorded), served
 *   verbatim inside the real reply's feed envelope;
 * - for papers listed by the real announcement feeds (testdata/arxiv/rss), which were never recorded
 *   from the API, an entry ASSEMBLED from the feed item's own real title, abstract, authors,
 *   categories and version, in the API's 2026 entry format. Only the dates are not in the feed: the
 *   entry uses the feed's announcement date as <published> and <updated>.
 *
 * An id the pool does not hold is answered like arXiv answers an id it does not know: the real empty
 * reply recorded for id_list=0808.05394 (totalResults 0).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeedItem } from '../../src/arxiv/rss.ts';

const ROOT = join(import.meta.dirname, '..', '..', 'testdata', 'arxiv');
const API_2026 = join(ROOT, 'api', 'arxivpy-2026-recorded');

/** A recording under testdata/arxiv/, as text. */
export function readRecording(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

const EMPTY_REPLY = readFileSync(join(API_2026, 'id_0808.05394_s0_m100_7b0c7d0a7cdd.status200.xml'), 'utf8');

/** Real recorded API entries by canonical id (version stripped). */
function recordedEntries(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(API_2026)) {
    if (!f.startsWith('id_') || !f.endsWith('.status200.xml')) continue;
    const xml = readFileSync(join(API_2026, f), 'utf8');
    for (const m of xml.matchAll(/<entry>[\s\S]*?<\/entry>/g)) {
      const id = /<id>https?:\/\/arxiv\.org\/abs\/(.+?)(?:v\d+)?<\/id>/.exec(m[0])?.[1];
      if (id) out.set(id, m[0]);
    }
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An API entry assembled from a real feed item (see the file comment); `date` is the feed date YYYY-MM-DD. */
export function entryFromFeedItem(item: FeedItem, date: string, version = item.version ?? 1): string {
  const at = `${date}T00:00:00Z`;
  const v = `${item.id}v${version}`;
  return [
    '<entry>',
    `    <id>http://arxiv.org/abs/${v}</id>`,
    `    <title>${esc(item.title)}</title>`,
    `    <updated>${at}</updated>`,
    `    <link href="https://arxiv.org/abs/${v}" rel="alternate" type="text/html"/>`,
    `    <summary>${esc(item.abstract)}</summary>`,
    ...item.categories.map((c) => `    <category term="${esc(c)}" scheme="http://arxiv.org/schemas/atom"/>`),
    `    <published>${at}</published>`,
    `    <arxiv:primary_category term="${esc(item.categories[0] ?? '')}"/>`,
    ...item.authors.map((a) => `    <author>\n      <name>${esc(a)}</name>\n    </author>`),
    '  </entry>',
  ].join('\n');
}

/** A pool of API entries answering id_list requests; starts with every recorded entry. */
export class ApiPool {
  readonly entries = recordedEntries();

  /** Adds (or replaces) the entry of a feed item. */
  addFeedItem(item: FeedItem, date: string, version?: number): void {
    this.entries.set(item.id, entryFromFeedItem(item, date, version));
  }

  /** The reply body for the ids of an id_list request: the real envelope, the entries we hold. */
  reply(u: URL): string {
    const ids = (u.searchParams.get('id_list') ?? '').split(',').filter(Boolean).map((i) => i.replace(/v\d+$/, ''));
    const found = ids.flatMap((id) => this.entries.get(id) ?? []);
    return EMPTY_REPLY.replace('<opensearch:totalResults>0</opensearch:totalResults>', `<opensearch:totalResults>${found.length}</opensearch:totalResults>`).replace(
      '</feed>',
      `${found.map((e) => `  ${e}\n`).join('')}</feed>`,
    );
  }
}
