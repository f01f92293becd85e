/** Page throughput with autocannon against a running server: requests/s and latency per path. */
import autocannon from 'autocannon';

export interface PageResult {
  path: string;
  status: number;
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

/** Loads `path` for `seconds` with `connections` concurrent connections, after one checked request. */
export async function benchPage(baseUrl: string, path: string, seconds = 5, connections = 10): Promise<PageResult> {
  const url = `${baseUrl}${path}`;
  // A page that errors would "serve" fast: check it really renders before measuring it.
  const first = await fetch(url);
  await first.arrayBuffer();
  const r = await autocannon({ url, connections, duration: seconds });
  return {
    path,
    status: first.status,
    requestsPerSec: r.requests.average,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}
