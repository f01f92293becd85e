/** A one-line progress bar for long imports; silent when the stream is not a terminal. */

/** What the importer reports; `done` ends the line so the summary starts on a fresh one. */
export interface ProgressBar {
  update: (p: { read: number; bytes: number; totalBytes: number }) => void;
  done: () => void;
}

/** A bar on `stream` (usually stderr), redrawn at most ten times a second. */
export function createProgressBar(stream: NodeJS.WriteStream): ProgressBar {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  const start = Date.now();
  let last = 0;
  return {
    update({ read, bytes, totalBytes }) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const frac = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
      const width = 30;
      const filled = Math.round(frac * width);
      const rate = Math.round(read / Math.max(0.001, (now - start) / 1000));
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${read} lines  ${rate}/s `);
    },
    done() {
      stream.write('\n');
    },
  };
}
