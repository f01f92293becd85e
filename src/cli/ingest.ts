/**
 * `paperboy ingest <source>`: run an arXiv or Hugging Face ingestion by hand. Each sub-command calls the
 * same function its scheduled job calls (src/jobs/handlers.ts), so a manual run is exactly a scheduled one.
 */
import { UsageError } from './common.ts';

/** Usage lines of `paperboy ingest`, shown in the main usage. */
export const INGEST_USAGE = `  ingest oai [--from DATE] [--until DATE] [--set SET] [--prefix arXiv|arXivRaw]
                                        harvest new and updated papers over OAI-PMH (resumes an interrupted window)
  ingest announcements [--category CAT]...
                                        read today's announcement feeds and fetch the announced papers we lack
  ingest id ID [ID...]                  fetch papers from the arXiv API by id or URL
  ingest hf --from DATE [--to DATE]     import Hugging Face Daily Papers entries (upvotes, submitters)`;

/** Dispatches `paperboy ingest <source> ...`. */
export async function cmdIngest(args: string[]): Promise<void> {
  const [source, ...rest] = args;
  switch (source) {
    // One case per sub-command, importing its module only when it runs (start-up stays quick).
    case 'oai':
      return (await import('./ingest-oai.ts')).cmdIngestOai(rest);
    case 'announcements':
      return (await import('./ingest-announcements.ts')).cmdIngestAnnouncements(rest);
    case 'id':
      return (await import('./ingest-id.ts')).cmdIngestId(rest);
    case 'hf':
      return (await import('./ingest-hf.ts')).cmdIngestHf(rest);
    default:
      throw new UsageError(source ? `unknown ingest source: ${source}` : 'ingest needs a source: oai, announcements, id or hf');
  }
}
