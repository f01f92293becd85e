/**
 * The configured embedder: the built-in model from the database, or a transformer/HTTP embedder
 * whose module is imported only when configured (so @huggingface/transformers never loads otherwise).
 */
import type { Config } from '../../config.ts';
import type { DB } from '../../db/connect.ts';
import type { Logger } from '../../log.ts';
import { latestBuiltinModel } from '../../store/embeddings.ts';
import { BuiltinModel } from './builtin.ts';
import type { Embedder } from './embedder.ts';

/**
 * The embedder PAPERBOY_EMBEDDER names; undefined when it is `off` or the built-in model is not
 * trained yet (the embed-papers job trains it). Throws EmbedderError when a configured model fails.
 */
export async function createEmbedder(config: Config, log: Logger, db: DB): Promise<Embedder | undefined> {
  const cfg = config.embedder;
  switch (cfg.kind) {
    case 'off':
      return undefined;
    case 'builtin': {
      const stored = await latestBuiltinModel(db);
      if (!stored) {
        log.debug('no built-in embedding model yet: the embed-papers job trains one once there are papers');
        return undefined;
      }
      return BuiltinModel.deserialize(stored.params);
    }
    case 'transformer': {
      const { createTransformerEmbedder } = await import('./transformer.ts');
      return createTransformerEmbedder(cfg, log);
    }
    case 'http': {
      const { createHttpEmbedder } = await import('./http.ts');
      return createHttpEmbedder(cfg, log);
    }
  }
}
