/**
 * `paperboy reindex --embeddings`: retrains the built-in model on the papers held now (or, for a
 * transformer/HTTP embedder, re-embeds every paper), stores every vector under the new model, then
 * deletes the old model's vectors. The same work the embed-papers job does, run in the foreground.
 */
import { parseArgs } from 'node:util';
import { embedPapers } from '../search/embed/job.ts';
import { UsageError, withDatabase } from './common.ts';

/** Usage lines for the main help. */
export const REINDEX_USAGE = `  reindex --embeddings                  retrain the built-in embedding model (or re-embed with the configured
                                        embedder) and replace every stored paper vector`;

/** Runs `paperboy reindex ...`. */
export async function cmdReindex(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { embeddings: { type: 'boolean' } }, strict: true });
  if (!values.embeddings) throw new UsageError('reindex needs --embeddings (the only index that is rebuilt this way)');
  await withDatabase(async ({ conn, config, log }) => {
    if (config.embedder.kind === 'off') throw new UsageError('PAPERBOY_EMBEDDER is off: there is no embedding index to rebuild');
    const t0 = Date.now();
    const r = await embedPapers(conn.db, config, log, { retrain: true });
    const lines = [
      r.model ? `model:     ${r.model}${r.trained ? (r.embedded === 0 && r.deletedModels.length === 0 ? ' (retrained: the same papers give the same model; vectors kept)' : ' (newly trained)') : ''}` : 'no model: too few papers to train the built-in model',
      `embedded:  ${r.embedded} papers`,
      `deleted:   ${r.deletedModels.length ? r.deletedModels.join(', ') : 'no older model'}`,
      `took:      ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
