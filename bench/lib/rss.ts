/** Peak resident memory of this process: sampled every 100 ms, and the kernel's own high-water mark. */

/** Starts sampling; `stop()` returns the peak in MB (the larger of the samples and getrusage's maxRSS). */
export function startRssSampler(intervalMs = 100): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      // maxRSS (KiB) also catches peaks between samples, such as inside one long synchronous batch.
      const kernelPeak = process.resourceUsage().maxRSS * 1024;
      return Math.max(peak, kernelPeak, process.memoryUsage().rss) / (1024 * 1024);
    },
  };
}
