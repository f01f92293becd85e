/** The process logger: pino JSON lines on stdout with stable keys (`paper_id`, `job`, `feed_date`). */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the logger once, from the configured level. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'paperboy' }, timestamp: pino.stdTimeFunctions.isoTime });
}
