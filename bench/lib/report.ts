/** The benchmark report: rows with targets, printed as a table and written as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.ts';

/** One measured number; `baseline` and `ratio` when it has a bare-database counterpart. */
export interface ResultRow {
  /** Which database the figure was measured on; the bare baseline rows are SQLite too. */
  database?: 'sqlite' | 'postgres';
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
  /** Human-readable target, e.g. "< 60". */
  target?: string;
  pass?: boolean;
}

/** A row with its ratio filled in from the baseline. */
export function row(r: Omit<ResultRow, 'ratio'>): ResultRow {
  return r.baseline !== undefined && r.baseline > 0 ? { ...r, ratio: r.value / r.baseline } : r;
}

function fmt(n: number | undefined, digits = 1): string {
  if (n === undefined || Number.isNaN(n)) return '';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(Math.abs(n) < 10 ? Math.max(digits, 2) : digits);
}

/** Formats rows as an aligned plain-text table. */
export function formatTable(rows: ResultRow[]): string {
  // The database column only appears when some row names one, so old reports read as before.
  const withDb = rows.some((r) => r.database !== undefined);
  const head = [...(withDb ? ['database'] : []), 'name', 'value', 'unit', 'baseline', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    ...(withDb ? [r.database ?? ''] : []),
    r.name,
    fmt(r.value),
    r.unit,
    fmt(r.baseline),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const leftAligned = new Set(['database', 'name', 'unit']);
  const line = (cells: string[]) => cells.map((c, i) => (leftAligned.has(head[i]!) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Writes bench/results/<timestamp>.json and bench/results/latest.json; returns the first path. */
export function writeResults(report: object, now = new Date()): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(dir, `${stamp}.json`);
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}
