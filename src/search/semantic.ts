/**
 * The Semantic service: the configured embedder plus an in-process VectorIndex of every stored
 * paper vector, kept fresh by polling the database (vectors written by the embed-papers job in any
 * process, and a newly trained built-in model once its vectors have caught up with the old one's).
 * Opening never fails: without a working embedder `available()` is false and search stays keyword-only.
 */
import type { Config } from '../config.ts';
import type { DB } from '../db/connect.ts';
import type { Logger } from '../log.ts';
import { countEmbeddings, forEachEmbedding, latestBuiltinModelName } from '../store/embeddings.ts';
import { EmbedderError, type Embedder } from './embed/embedder.ts';
import { createEmbedder } from './embed/from-config.ts';
import { VectorIndex } from './vector-index.ts';

export interface Semantic {
  /** True when an embedder is configured and its vectors are loaded (the index may still be filling). */
  available(): boolean;
  embedderName(): string | undefined;
  index(): VectorIndex | undefined;
  /** A query's vector; cached (LRU ~1000 entries). Throws EmbedderError when the embedder fails. */
  queryVector(text: string): Promise<Float32Array>;
  /** A paper's stored vector, or undefined. */
  paperVector(id: string): Float32Array | undefined;
  /** Embeds arbitrary document text (pasted interests, CSFCube facets); throws EmbedderError. */
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
  /** Loads vectors added since the last refresh (other processes' work) and a newly trained built-in model. */
  refresh(): Promise<void>;
  close(): void;
}

/** Query vectors kept (an LRU): repeated and paginated searches skip the embedder. */
const QUERY_CACHE_SIZE = 1000;

/** The embedder, its index and how far the index has read the table. */
interface Loaded {
  embedder: Embedder;
  index: VectorIndex;
  /** The newest embedded_at loaded: the next refresh reads from here. */
  seen: string | undefined;
}

/** Opens the service: the configured (or given) embedder and its stored vectors. Never throws. */
export async function openSemantic(db: DB, config: Config, log: Logger, o: { refreshMs?: number; embedder?: Embedder } = {}): Promise<Semantic> {
  let current: Loaded | undefined;
  let waitLogged = false;
  const cache = new Map<string, Float32Array>();

  const load = async (embedder: Embedder): Promise<Loaded> => {
    const index = new VectorIndex(embedder.dim, { kind: config.vectorIndex });
    const seen = await forEachEmbedding(db, embedder.name, undefined, (page) => {
      for (const r of page) if (r.vector.length === embedder.dim) index.upsert(r.paperId, r.vector);
    });
    return { embedder, index, seen };
  };

  const open = async (): Promise<void> => {
    try {
      const embedder = o.embedder ?? (await createEmbedder(config, log, db));
      if (!embedder) {
        if (!waitLogged && config.embedder.kind === 'builtin') log.info('semantic search starts once the embed-papers job has trained the built-in model; keyword search until then');
        waitLogged = true;
        return;
      }
      current = await load(embedder);
      cache.clear();
      log.info({ embedder: embedder.name, dim: embedder.dim, vectors: current.index.size }, 'semantic search ready');
    } catch (err) {
      log.warn({ err: (err as Error).message, embedder: config.embedder.kind }, 'semantic search unavailable; keyword search only');
    }
  };

  /** A newer built-in model takes over once it has at least as many vectors as the one in use. */
  const newerBuiltin = async (): Promise<boolean> => {
    if (o.embedder || config.embedder.kind !== 'builtin' || !current) return false;
    const latest = await latestBuiltinModelName(db);
    if (!latest || latest === current.embedder.name) return false;
    return (await countEmbeddings(db, latest)) >= (await countEmbeddings(db, current.embedder.name));
  };

  let refreshing: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        if (!current || (await newerBuiltin())) {
          const before = current?.embedder.name;
          await open();
          if (current && before && current.embedder.name !== before) log.info({ from: before, to: current.embedder.name }, 'switched to the newly trained built-in model');
          return;
        }
        const c = current;
        let added = 0;
        c.seen = await forEachEmbedding(db, c.embedder.name, c.seen, (page) => {
          for (const r of page) {
            if (r.vector.length !== c.index.dim) continue;
            c.index.upsert(r.paperId, r.vector);
            added++;
          }
        });
        if (added > 0) log.debug({ embedder: c.embedder.name, vectors: c.index.size }, 'vector index refreshed');
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'vector index refresh failed; will retry');
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  await open();
  const refreshMs = o.refreshMs ?? 60_000;
  const timer = refreshMs > 0 ? setInterval(() => void refresh(), refreshMs) : undefined;
  timer?.unref();

  const need = (): Embedder => {
    if (!current) throw new EmbedderError('no embedder is available (PAPERBOY_EMBEDDER is off, or the built-in model is not trained yet)');
    return current.embedder;
  };

  return {
    available: () => current !== undefined,
    embedderName: () => current?.embedder.name,
    index: () => current?.index,
    async queryVector(text: string): Promise<Float32Array> {
      const embedder = need();
      const key = `${embedder.name}\u0000${text.trim().replace(/\s+/g, ' ')}`;
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      const [v] = await embedder.embed([text], 'query');
      if (!v || v.length !== embedder.dim) throw new EmbedderError(`the embedder returned no vector of dimension ${embedder.dim}`);
      cache.set(key, v);
      if (cache.size > QUERY_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return v;
    },
    paperVector: (id: string) => current?.index.get(id),
    async embedDocuments(texts: string[]): Promise<Float32Array[]> {
      return need().embed(texts, 'document');
    },
    refresh,
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
