/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * `/status` and `GET /api/v1/status`: whether today's arXiv batch is complete, per category and feed
 * date what arXiv announced against what we hold, the health of every source, and the OAI-PMH
 * harvest checkpoints. Both render the same report (one set of queries).
 *
 * JSON shape of `GET /api/v1/status` (keys are stable; times are ISO 8601 UTC, dates YYYY-MM-DD):
 * {
 *   "generatedAt": string,
 *   "timezone": string,                      // feed dates are counted in this zone (America/New_York)
 *   "today": {                               // the latest feed date arXiv announces on (Mon-Fri)
 *     "feedDate": string,
 *     "state": "complete" | "incomplete" | "not_read",
 *     "announced": number, "held": number,   // summed over the configured categories
 *     "categoriesRead": number, "categories": number
 *   },
 *   // Per category, its last 7 feed dates that were read (weekends and holidays have none); newest
 *   // date first, then categories in configured order. `held` counts papers held at (at least) the
 *   // announced version; `complete`: every announced paper held and the feed's item count recorded.
 *   "batches": [ { "category": string, "feedDate": string, "announced": number, "held": number,
 *                  "new": number, "cross": number, "replace": number,
 *                  "fetchedAt": string, "complete": boolean } ],
 *   "sources": [ { "source": string, "lastSuccessAt": string | null,
 *                  "lastError": string | null, "lastErrorAt": string | null } ],
 *   "harvests": [ { "key": string, "metadataPrefix": string, "set": string, "status": "idle" | "running",
 *                   "windowFrom": string | null, "windowUntil": string | null, "pages": number,
 *                   "records": number, "harvestedUntil": string | null, "lastSuccessAt": string | null,
 *                   "lastError": string | null, "lastErrorAt": string | null, "updatedAt": string } ],
 *   // Search by meaning: the embed-papers job's progress. `model` is the one in use here (or, before
 *   // this process has loaded one, the newest stored built-in model), null when there is none yet;
 *   // `embedded` counts papers with a vector under it (a revised paper keeps its old vector until the
 *   // job embeds it again); `loaded` the vectors in this process's index (null when this process has
 *   // no Semantic service or it is unavailable). The two counts are re-read at most every 30 s.
 *   "embeddings": { "embedder": "builtin" | "transformer" | "http" | "off", "model": string | null,
 *                   "papers": number, "embedded": number, "loaded": number | null }
 * }
 */
import type { Context, Hono } from 'hono';
import type { DB } from '../../db/connect.ts';
import { type BatchStatus, batchStatus } from '../../store/feed-items.ts';
import { countEmbeddings, countPapers, latestBuiltinModelName } from '../../store/embeddings.ts';
import { listHarvestStates } from '../../store/harvest-state.ts';
import { listSourceStatus } from '../../store/source-status.ts';
import { addDays, feedDateOf } from '../../time.ts';
import type { AppDeps } from '../deps.ts';
import { type Page, PageCache } from '../pageCache.ts';
import { renderPage } from '../views/page.tsx';
import { formatDay, formatLongDay } from '../views/text.ts';

/** How many feed dates (per category, the latest that were read) the report covers. */
const DAYS_SHOWN = 7;

/** The whole report, as served by `GET /api/v1/status`. */
export interface StatusReport {
  generatedAt: string;
  timezone: string;
  today: {
    feedDate: string;
    state: 'complete' | 'incomplete' | 'not_read';
    announced: number;
    held: number;
    categoriesRead: number;
    categories: number;
  };
  batches: BatchStatus[];
  sources: Array<{ source: string; lastSuccessAt: string | null; lastError: string | null; lastErrorAt: string | null }>;
  harvests: Array<{
    key: string;
    metadataPrefix: string;
    set: string;
    status: 'idle' | 'running';
    windowFrom: string | null;
    windowUntil: string | null;
    pages: number;
    records: number;
    harvestedUntil: string | null;
    lastSuccessAt: string | null;
    lastError: string | null;
    lastErrorAt: string | null;
    updatedAt: string;
  }>;
  embeddings: { embedder: string; model: string | null; papers: number; embedded: number; loaded: number | null };
}

function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/**
 * The feed date of the latest batch arXiv should have announced by `now`. arXiv dates its feeds
 * Monday to Friday (America/New_York), so on a weekend the latest batch is Friday's. Holidays are not
 * known here: a holiday shows as "not yet read".
 */
export function expectedFeedDate(now: Date, timeZone: string): string {
  let d = feedDateOf(now, timeZone);
  while (isWeekend(d)) d = addDays(d, -1);
  return d;
}

/** The batch state of one feed date over every category: read at all, and complete everywhere. */
function todayOf(feedDate: string, rows: BatchStatus[], categories: number): StatusReport['today'] {
  // batchStatus has a row only for a (category, date) whose feed was read.
  const read = rows.filter((r) => r.feedDate === feedDate);
  const announced = read.reduce((s, r) => s + r.announced, 0);
  const held = read.reduce((s, r) => s + r.held, 0);
  const state = read.length === 0 ? 'not_read' : read.length >= categories && read.every((r) => r.complete) ? 'complete' : 'incomplete';
  return { feedDate, state, announced, held, categoriesRead: read.length, categories };
}

async function harvestRows(db: DB): Promise<StatusReport['harvests']> {
  const rows = await listHarvestStates(db);
  return rows.map((r) => ({
    key: r.key,
    metadataPrefix: r.metadata_prefix,
    set: r.set_spec,
    status: r.status,
    windowFrom: r.window_from,
    windowUntil: r.window_until,
    pages: r.pages,
    records: r.records,
    harvestedUntil: r.harvested_until,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    updatedAt: r.updated_at,
  }));
}

/**
 * How long the paper and vector counts are reused: counting a million rows takes tens of
 * milliseconds on the request's connection, and monitors poll the JSON.
 */
const EMBEDDING_COUNTS_TTL_MS = 30_000;
const embeddingCounts = new WeakMap<AppDeps, { at: number; model: string; papers: number; embedded: number }>();

/** The embed-papers job's progress under the model in use (see the JSON shape above). */
async function embeddingRows(deps: AppDeps, now: Date): Promise<StatusReport['embeddings']> {
  const kind = deps.config.embedder.kind;
  const semantic = deps.semantic?.available() ? deps.semantic : undefined;
  const loaded = semantic?.index()?.size ?? null;
  const model = kind === 'off' ? undefined : (semantic?.embedderName() ?? (kind === 'builtin' ? await latestBuiltinModelName(deps.db) : undefined));
  if (!model) return { embedder: kind, model: null, papers: await countPapers(deps.db), embedded: 0, loaded };
  let counts = embeddingCounts.get(deps);
  if (!counts || counts.model !== model || now.getTime() - counts.at >= EMBEDDING_COUNTS_TTL_MS) {
    const [papers, embedded] = await Promise.all([countPapers(deps.db), countEmbeddings(deps.db, model)]);
    counts = { at: now.getTime(), model, papers, embedded };
    embeddingCounts.set(deps, counts);
  }
  return { embedder: kind, model, papers: counts.papers, embedded: counts.embedded, loaded };
}

/** Builds the status report (a handful of small queries; safe on an empty database). */
export async function statusReport(deps: AppDeps, now = new Date()): Promise<StatusReport> {
  const categories = [...deps.config.arxiv.categories];
  const [batches, sources, harvests, embeddings] = await Promise.all([
    batchStatus(deps.db, { categories, dates: DAYS_SHOWN }),
    listSourceStatus(deps.db),
    harvestRows(deps.db),
    embeddingRows(deps, now),
  ]);
  // Newest date first, categories in configured order within a date: the table reads top-down.
  const rows = [...batches].sort((a, b) => b.feedDate.localeCompare(a.feedDate) || categories.indexOf(a.category) - categories.indexOf(b.category));
  // A feed read early (arXiv publishes Monday's feed on Sunday evening) is already "today's".
  const expected = expectedFeedDate(now, deps.config.feedTimezone);
  const latestRead = rows[0]?.feedDate;
  const today = latestRead && latestRead > expected ? latestRead : expected;
  return {
    generatedAt: now.toISOString(),
    timezone: deps.config.feedTimezone,
    today: todayOf(today, rows, categories.length),
    batches: rows,
    sources: sources.map((s) => ({ source: s.source, lastSuccessAt: s.last_success_at, lastError: s.last_error, lastErrorAt: s.last_error_at })),
    harvests,
    embeddings,
  };
}

/** "2026-04-27 13:05 UTC" for an ISO time; a dash when never. */
function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—';
}

function TodayLine({ today }: { today: StatusReport['today'] }) {
  const day = formatLongDay(today.feedDate);
  if (today.state === 'not_read') return <p class="status-today">Today’s batch ({day}): not yet read.</p>;
  if (today.state === 'complete') {
    return (
      <p class="status-today">
        Today’s batch ({day}): <strong>complete</strong> ({today.held} of {today.announced} papers held).
      </p>
    );
  }
  const unread = today.categories - today.categoriesRead;
  return (
    <p class="status-today">
      Today’s batch ({day}): <strong>incomplete</strong> ({today.held} of {today.announced} papers held
      {unread > 0 ? `; ${unread} of ${today.categories} categories not read yet` : ''}).
    </p>
  );
}

function EmbeddingLine({ e }: { e: StatusReport['embeddings'] }) {
  if (e.embedder === 'off') return <p>The embedder is off (<code>PAPERBOY_EMBEDDER=off</code>): keyword search only, no similar papers or For you.</p>;
  if (!e.model) return <p>No embedding model yet ({e.embedder}): the embed-papers job trains or opens one; keyword search until then.</p>;
  const pct = e.papers > 0 ? Math.floor((1000 * e.embedded) / e.papers) / 10 : 100;
  return (
    <p>
      Model <code>{e.model}</code> ({e.embedder}): <strong>{e.embedded.toLocaleString('en-US')}</strong> of {e.papers.toLocaleString('en-US')} papers embedded ({pct} %)
      {e.loaded === null ? '; not loaded in this process.' : `; ${e.loaded.toLocaleString('en-US')} vectors loaded for search in this process.`}
    </p>
  );
}

function StatusView({ r }: { r: StatusReport }) {
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Status</h1>
          <p class="sub">arXiv ingestion at {when(r.generatedAt)} · feed dates in {r.timezone}</p>
        </div>
      </div>
      <section class="notice">
        <TodayLine today={r.today} />
      </section>
      <section>
        <h2 class="group-title">Search by meaning</h2>
        <EmbeddingLine e={r.embeddings} />
      </section>
      <section>
        <h2 class="group-title">Announcements by category and feed date</h2>
        {r.batches.length === 0 ? (
          <p>
            No announcement feed has been read yet (<code>paperboy ingest announcements</code>).
          </p>
        ) : (
          <table class="status-table">
            <thead>
              <tr>
                <th scope="col">Feed date</th>
                <th scope="col">Category</th>
                <th scope="col">Announced</th>
                <th scope="col">Held</th>
                <th scope="col">New</th>
                <th scope="col">Cross</th>
                <th scope="col">Replace</th>
                <th scope="col">Read at</th>
                <th scope="col">Complete</th>
              </tr>
            </thead>
            <tbody>
              {r.batches.map((b) => (
                <tr>
                  <td>
                    <a href={`/new/${b.feedDate}?category=${encodeURIComponent(b.category)}`}>{formatDay(b.feedDate)}</a>
                  </td>
                  <td>{b.category}</td>
                  <td>{b.announced}</td>
                  <td>{b.held}</td>
                  <td>{b.new}</td>
                  <td>{b.cross}</td>
                  <td>{b.replace}</td>
                  <td>{when(b.fetchedAt)}</td>
                  <td>{b.complete ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section>
        <h2 class="group-title">Sources</h2>
        {r.sources.length === 0 ? (
          <p>No source has run yet.</p>
        ) : (
          <table class="status-table">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Last success</th>
                <th scope="col">Last error</th>
                <th scope="col">Error at</th>
              </tr>
            </thead>
            <tbody>
              {r.sources.map((s) => (
                <tr>
                  <td>{s.source}</td>
                  <td>{when(s.lastSuccessAt)}</td>
                  <td>{s.lastError ?? '—'}</td>
                  <td>{when(s.lastErrorAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section>
        <h2 class="group-title">OAI-PMH harvests</h2>
        {r.harvests.length === 0 ? (
          <p>No harvest has run yet.</p>
        ) : (
          <table class="status-table">
            <thead>
              <tr>
                <th scope="col">Harvest</th>
                <th scope="col">Status</th>
                <th scope="col">Window</th>
                <th scope="col">Pages</th>
                <th scope="col">Records</th>
                <th scope="col">Harvested until</th>
                <th scope="col">Last success</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {r.harvests.map((h) => (
                <tr>
                  <td>{h.key}</td>
                  <td>{h.status}</td>
                  <td>{h.windowFrom ? `${h.windowFrom} … ${h.windowUntil ?? ''}` : '—'}</td>
                  <td>{h.pages}</td>
                  <td>{h.records}</td>
                  <td>{h.harvestedUntil ?? '—'}</td>
                  <td>{when(h.lastSuccessAt)}</td>
                  <td>{h.lastError ? `${h.lastError} (${when(h.lastErrorAt)})` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <p>
        Machine-readable: <a href="/api/v1/status">/api/v1/status</a>
      </p>
    </>
  );
}

async function statusPage(deps: AppDeps): Promise<Page> {
  const r = await statusReport(deps);
  return renderPage(deps, {
    title: 'Status',
    description: 'Whether today’s arXiv batch is complete, and the health of every ingestion source.',
    path: '/status',
    noindex: true,
    children: <StatusView r={r} />,
  });
}

/** Registers `/status` (HTML) and `GET /api/v1/status` (JSON). */
export function registerStatusRoutes(app: Hono, deps: AppDeps): void {
  // The page shares the page cache's TTL (5 s under `serve`): status a few seconds old is fine and a
  // monitor reloading it cannot load the database. The JSON is not cached: it is what monitors poll.
  const cache = new PageCache(deps.pageCacheTtlMs ?? 0);
  app.get('/status', (c: Context) => cache.serve(c, () => statusPage(deps)));
  app.get('/api/v1/status', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await statusReport(deps));
  });
}
