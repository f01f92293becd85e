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
  /** Requests completed in the whole run (all servers). */
  requests?: number;
  /** CPU milliseconds per request of the server processes (and database server backends), when measured. */
  cpuMsPerRequest?: number;
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
    requests: r.requests.total,
  };
}

/**
 * Loads `path` on several servers at once (one autocannon instance per server, each with
 * `connections` connections, all in this process, run concurrently) and sums their requests/s: the
 * throughput of several web processes behind a load balancer, without a balancer's own cost.
 * Latency is the worst server's.
 */
export async function benchPages(baseUrls: string[], path: string, seconds = 5, connections = 10): Promise<PageResult & { perServer: number[] }> {
  for (const base of baseUrls) {
    const first = await fetch(`${base}${path}`);
    await first.arrayBuffer();
    if (first.status !== 200) return { path, status: first.status, requestsPerSec: 0, latencyP50Ms: 0, latencyP99Ms: 0, non2xx: 1, errors: 0, perServer: [] };
  }
  const rs = await Promise.all(baseUrls.map((base) => autocannon({ url: `${base}${path}`, connections, duration: seconds })));
  return {
    path,
    status: 200,
    requestsPerSec: rs.reduce((a, r) => a + r.requests.average, 0),
    perServer: rs.map((r) => r.requests.average),
    latencyP50Ms: Math.max(...rs.map((r) => r.latency.p50)),
    latencyP99Ms: Math.max(...rs.map((r) => r.latency.p99)),
    non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
    errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0),
    requests: rs.reduce((a, r) => a + r.requests.total, 0),
  };
}
