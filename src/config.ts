/**
 * The only reader of process.env. Configuration is parsed once, validated with zod and frozen;
 * a bad value stops start-up with a message that names the variable and what it accepts.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A comma-separated list, trimmed, empties dropped. */
const commaList = z
  .string()
  .transform((v) => v.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

/** A non-negative integer read from the environment. */
function nonNegativeInt(what: string) {
  return z.coerce.number({ message: `accepts ${what}` }).int(`accepts ${what}`).min(0, `accepts ${what}`);
}

/** An http(s) URL without a trailing slash. */
function httpUrl(example: string) {
  return z
    .url({ message: `accepts an absolute http(s) URL such as ${example}` })
    .refine((v) => /^https?:\/\//.test(v), { message: 'accepts an absolute http(s) URL' })
    .transform((v) => v.replace(/\/+$/, ''));
}

/** Actions with a rate limit: sign-in requests per address and per client IP, submissions, votes, comments. */
export const RATE_LIMIT_ACTIONS = ['signin', 'signin_ip', 'submit', 'vote', 'comment'] as const;
export type RateLimitAction = (typeof RATE_LIMIT_ACTIONS)[number];
/** At most `limit` hits per `windowMs`; null means unlimited. */
export type RateLimitRule = { readonly limit: number; readonly windowMs: number } | null;

const DEFAULT_RATE_LIMITS = 'signin=5/15m,signin_ip=20/15m,submit=20/1h,vote=120/1m,comment=20/10m';
const WINDOW_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `action=N/window` pairs (window like 30s, 15m, 1h, 1d; `action=off` for none) over the defaults. */
function parseRateLimits(text: string): Record<RateLimitAction, RateLimitRule> | string {
  const rules = {} as Record<RateLimitAction, RateLimitRule>;
  for (const part of `${DEFAULT_RATE_LIMITS},${text}`.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(?:off|(\d+)\/(\d+)([smhd]))$/.exec(part);
    if (!m) return `cannot read "${part}"; write action=N/window such as vote=120/1m (units s, m, h, d) or action=off`;
    const action = m[1] as RateLimitAction;
    if (!RATE_LIMIT_ACTIONS.includes(action)) return `unknown action "${m[1]}"; actions are ${RATE_LIMIT_ACTIONS.join(', ')}`;
    if (m[2] === undefined) rules[action] = null;
    else {
      const limit = Number(m[2]);
      const windowMs = Number(m[3]) * WINDOW_UNITS[m[4]!]!;
      if (limit < 1 || windowMs < 1000) return `"${part}" needs at least 1 hit per window and a window of at least 1s`;
      rules[action] = Object.freeze({ limit, windowMs });
    }
  }
  return rules;
}

/** Reciprocal rank fusion settings: score = keyword / (k + keyword rank) + vector / (k + vector rank). */
export interface FusionWeights {
  readonly keyword: number;
  readonly vector: number;
  readonly k: number;
}

const DEFAULT_FUSION = 'keyword=1,vector=1,k=60';

/** Parses `keyword=W,vector=W,k=N` over the defaults; a message on error. */
function parseFusion(text: string): FusionWeights | string {
  const out: Record<string, number> = { keyword: 1, vector: 1, k: 60 };
  for (const part of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(keyword|vector|k)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) return `cannot read "${part}"`;
    out[m[1]!] = Number(m[2]);
  }
  if (out.keyword! + out.vector! <= 0) return 'at least one weight must be above 0';
  return Object.freeze({ keyword: out.keyword!, vector: out.vector!, k: out.k! });
}

/** Every variable we read, with its schema and a description used by `paperboy config` and the README. */
const VARIABLES = {
  PAPERBOY_DATABASE_URL: {
    schema: z
      .string()
      .min(1)
      .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(v), {
        message: 'accepts a SQLite file path, a sqlite: URL or a postgres:// URL',
      })
      .default('./data/paperboy.db'),
    help: 'SQLite file path or `sqlite:` URL (`sqlite::memory:` for a throw-away database), or a `postgres://user:password@host:port/database` URL',
    secret: true,
  },
  PORT: {
    schema: z.coerce
      .number({ message: 'accepts a TCP port number (1-65535)' })
      .int('accepts a TCP port number (1-65535)')
      .min(1, 'accepts a TCP port number (1-65535)')
      .max(65535, 'accepts a TCP port number (1-65535)')
      .default(8080),
    help: 'HTTP port of `paperboy serve`',
    secret: false,
  },
  PAPERBOY_BASE_URL: {
    schema: z
      .url({ message: 'accepts an absolute http(s) URL such as https://papers.example.org' })
      .refine((v) => /^https?:\/\//.test(v), { message: 'accepts an absolute http(s) URL' })
      .optional(),
    help: 'Public URL of the site, used in links and feeds (default http://localhost:PORT)',
    secret: false,
  },
  PAPERBOY_FEED_TIMEZONE: {
    schema: z
      .string()
      .refine(isTimeZone, { message: 'accepts an IANA time zone such as America/New_York or UTC' })
      .default('America/New_York'),
    help: 'Time zone in which feed dates are counted: the day a submission or announcement belongs to (used by submissions and ingestion; stored entries keep their dates)',
    secret: false,
  },
  LOG_LEVEL: {
    schema: z.enum(LOG_LEVELS, { message: `accepts one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    help: 'Log level of the JSON logs on stdout',
    secret: false,
  },
  PAPERBOY_DEMO_DATA: {
    schema: z.enum(['auto', 'off'], { message: 'accepts auto or off' }).default('auto'),
    help: '`auto` imports the shipped demo dataset when `serve` finds an empty database; `off` never does',
    secret: false,
  },
  PAPERBOY_ARXIV_SYNC: {
    schema: z.enum(['on', 'off'], { message: 'accepts on or off' }).default('on'),
    help: '`on`: the worker role harvests arXiv (OAI-PMH) and reads the announcement feeds on schedule; `off`: only by hand (`paperboy ingest …`)',
    secret: false,
  },
  PAPERBOY_ARXIV_API_URL: {
    schema: httpUrl('https://export.arxiv.org/api/query').default('https://export.arxiv.org/api/query'),
    help: 'arXiv API endpoint (`id_list` look-ups of single papers)',
    secret: false,
  },
  PAPERBOY_ARXIV_OAI_URL: {
    schema: httpUrl('https://oaipmh.arxiv.org/oai').default('https://oaipmh.arxiv.org/oai'),
    help: 'arXiv OAI-PMH endpoint (bulk harvest of new and updated papers)',
    secret: false,
  },
  PAPERBOY_ARXIV_RSS_URL: {
    schema: httpUrl('https://rss.arxiv.org').default('https://rss.arxiv.org'),
    help: 'Base of arXiv\'s announcement feeds (`{base}/rss/cs.LG`, `{base}/atom/cs.LG`)',
    secret: false,
  },
  PAPERBOY_ARXIV_DELAY_MS: {
    schema: nonNegativeInt('a delay in milliseconds (0 or more)').default(3000),
    help: 'Pause between two requests to the same arXiv host (arXiv asks for 3 s)',
    secret: false,
  },
  PAPERBOY_ARXIV_TIMEOUT_MS: {
    schema: nonNegativeInt('a timeout in milliseconds').min(1, 'accepts a timeout in milliseconds (1 or more)').default(60000),
    help: 'Time limit of one arXiv request, body included',
    secret: false,
  },
  PAPERBOY_ARXIV_CATEGORIES: {
    schema: commaList
      .refine((l) => l.length > 0 && l.every((c) => /^[a-z-]+(\.[A-Za-z-]+)?$/.test(c)), {
        message: 'accepts a comma-separated list of arXiv categories such as cs.LG,cs.CL,stat.ML',
      })
      .default(['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG', 'stat.ML']),
    help: 'Categories whose daily announcements are read (and shown on /status)',
    secret: false,
  },
  PAPERBOY_ARXIV_OAI_SETS: {
    schema: commaList
      .refine((l) => l.length > 0 && l.every((c) => /^[a-z-]+(:[A-Za-z.-]+)*$/.test(c)), {
        message: 'accepts a comma-separated list of OAI-PMH sets such as cs,stat or physics:hep-th',
      })
      .default(['cs']),
    help: 'OAI-PMH sets harvested daily',
    secret: false,
  },
  PAPERBOY_CONTACT_EMAIL: {
    schema: z.email({ message: 'accepts an e-mail address' }).optional(),
    help: 'Operator contact, sent in the User-Agent of every arXiv request (arXiv asks for one)',
    secret: false,
  },
  PAPERBOY_HF_URL: {
    schema: httpUrl('https://huggingface.co').default('https://huggingface.co'),
    help: 'Hugging Face site read by `paperboy ingest hf` (`{base}/api/daily_papers`)',
    secret: false,
  },
  PAPERBOY_SMTP_URL: {
    schema: z
      .string()
      .refine((v) => /^smtps?:\/\/[^/]+/.test(v), { message: 'accepts smtp://user:pass@host:port or smtps://user:pass@host:port' })
      .optional(),
    help: 'Outgoing mail server; unset (development) writes mails to the log instead',
    secret: true,
  },
  PAPERBOY_MAIL_FROM: {
    schema: z.string().min(3).default('Paperboy <paperboy@localhost>'),
    help: 'From address of every mail',
    secret: false,
  },
  PAPERBOY_SECRET: {
    schema: z.string().min(32, 'accepts a random string of at least 32 characters').optional(),
    help: 'Key that signs sessions, CSRF and unsubscribe tokens; unset, one is generated and kept in the database (shared by every process)',
    secret: true,
  },
  PAPERBOY_SUBMIT_WINDOW_DAYS: {
    schema: nonNegativeInt('a number of days').default(14),
    help: 'A paper can be submitted to the daily feed within this many days of its first version',
    secret: false,
  },
  PAPERBOY_SUBMIT_DAILY_QUOTA: {
    schema: nonNegativeInt('a number of submissions').default(5),
    help: 'Submissions per user per feed day (moderators are exempt)',
    secret: false,
  },
  PAPERBOY_FEED_CUTOFF_HOUR: {
    schema: nonNegativeInt('an hour 0-23').max(23, 'accepts an hour 0-23').default(0),
    help: 'Hour (in PAPERBOY_FEED_TIMEZONE) at which the feed day turns over for submissions',
    secret: false,
  },
  PAPERBOY_RATE_LIMITS: {
    schema: z
      .string()
      .superRefine((v, ctx) => {
        const r = parseRateLimits(v);
        if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: `accepts comma-separated action=N/window pairs: ${r}` });
      })
      .default(DEFAULT_RATE_LIMITS),
    help: `Rate limits per action; unnamed actions keep the default (signin counts per address, signin_ip per client IP, the others per user); \`action=off\` lifts one. Counted in memory by each web process`,
    secret: false,
  },
  PAPERBOY_TRUST_PROXY: {
    schema: z.enum(['on', 'off'], { message: 'accepts on or off' }).default('off'),
    help: '`on` when Paperboy runs behind a reverse proxy: the client IP (for rate limits) is read from the last X-Forwarded-For entry instead of the socket',
    secret: false,
  },
  PAPERBOY_DIGEST_RATE: {
    schema: z.coerce.number({ message: 'accepts messages per second (0 for no limit)' }).min(0, 'accepts messages per second (0 for no limit)').default(5),
    help: 'Digest mails sent per second by each worker process (0: no limit)',
    secret: false,
  },
  PAPERBOY_DIGEST_MAX_BOUNCES: {
    schema: nonNegativeInt('a number of bounces').min(1, 'accepts a number of bounces (1 or more)').default(3),
    help: 'Permanent delivery failures (SMTP 5xx) in a row after which an address gets no more digests',
    secret: false,
  },
  PAPERBOY_EMBEDDER: {
    schema: z.enum(['builtin', 'transformer', 'http', 'off'], { message: 'accepts builtin, transformer, http or off' }).default('builtin'),
    help: 'What turns text into vectors for search by meaning, similar papers and For you: `builtin` (trained on this instance\'s own papers, offline), `transformer` (an ONNX sentence-embedding model, see PAPERBOY_EMBEDDER_MODEL), `http` (an OpenAI-compatible /v1/embeddings endpoint) or `off` (keyword search only)',
    secret: false,
  },
  PAPERBOY_EMBEDDER_MODEL: {
    schema: z.string().min(1).optional(),
    help: 'For `transformer`: a Hugging Face hub name (e.g. Xenova/all-MiniLM-L6-v2) or a local model folder; for `http`: the model name sent to the endpoint',
    secret: false,
  },
  PAPERBOY_EMBEDDER_URL: {
    schema: httpUrl('http://127.0.0.1:11434/v1').optional(),
    help: 'For `http`: the base URL of an OpenAI-compatible API (the path /embeddings is appended), e.g. Ollama, text-embeddings-inference or vLLM',
    secret: false,
  },
  PAPERBOY_EMBEDDER_API_KEY: {
    schema: z.string().min(1).optional(),
    help: 'For `http`: sent as `Authorization: Bearer …` when set',
    secret: true,
  },
  PAPERBOY_EMBEDDER_TIMEOUT_MS: {
    schema: nonNegativeInt('milliseconds').min(100, 'accepts milliseconds (100 or more)').default(30000),
    help: 'For `http`: time allowed per request, after which it is retried (up to 3 attempts)',
    secret: false,
  },
  PAPERBOY_EMBEDDER_BATCH: {
    schema: nonNegativeInt('a number of texts').min(1, 'accepts a number of texts (1 or more)').default(64),
    help: 'Texts per embedding call when papers are embedded in the background',
    secret: false,
  },
  PAPERBOY_EMBEDDER_DTYPE: {
    schema: z.enum(['auto', 'fp32', 'fp16', 'q8'], { message: 'accepts auto, fp32, fp16 or q8' }).default('auto'),
    help: 'For `transformer`: which ONNX weights to run: `fp32` (onnx/model.onnx), `fp16` (onnx/model_fp16.onnx), `q8` (onnx/model_quantized.onnx: about 4× smaller and faster on CPUs) or `auto` (a local folder\'s full-precision weights, else its quantized ones; fp32 for a hub name)',
    secret: false,
  },
  PAPERBOY_MODEL_DIR: {
    schema: z.string().min(1).default('./data/models'),
    help: 'For `transformer`: where downloaded models are cached (a hub name is downloaded there on first use where the network allows)',
    secret: false,
  },
  PAPERBOY_SEARCH_FUSION: {
    schema: z
      .string()
      .superRefine((v, ctx) => {
        const r = parseFusion(v);
        if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: `accepts keyword=W,vector=W,k=N: ${r}` });
      })
      .default(DEFAULT_FUSION),
    help: 'Hybrid search: reciprocal rank fusion weights of the keyword and vector rankings and the constant k (score = Σ w / (k + rank))',
    secret: false,
  },
  PAPERBOY_VECTOR_INDEX: {
    schema: z.enum(['exact', 'int8'], { message: 'accepts exact or int8' }).default('exact'),
    help: 'The in-process vector index: `exact` scans every vector in float32; `int8` scans an 8-bit copy (a quarter of the memory traffic, 25 % more memory) and re-scores the best candidates exactly, for large instances (recall@20 measured in the vector benchmark)',
    secret: false,
  },
} as const;

type Vars = typeof VARIABLES;
type Parsed = { [K in keyof Vars]: z.output<Vars[K]['schema']> };

export interface Config {
  readonly databaseUrl: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly feedTimezone: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly demoData: 'auto' | 'off';
  readonly arxiv: {
    readonly sync: boolean;
    readonly apiUrl: string;
    readonly oaiUrl: string;
    readonly rssUrl: string;
    readonly delayMs: number;
    readonly timeoutMs: number;
    readonly categories: readonly string[];
    readonly oaiSets: readonly string[];
  };
  readonly contactEmail: string | undefined;
  readonly hfUrl: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Unset: a generated key kept in the database (see src/web/secret.ts). */
  readonly secret: string | undefined;
  readonly submitWindowDays: number;
  readonly submitDailyQuota: number;
  readonly feedCutoffHour: number;
  /** Per-action limits (see src/web/rateLimit.ts). */
  readonly rateLimits: Readonly<Record<RateLimitAction, RateLimitRule>>;
  /** Read the client IP from X-Forwarded-For (behind a reverse proxy). */
  readonly trustProxy: boolean;
  /** Digest mails per second per worker process; 0: unthrottled. */
  readonly digestRate: number;
  /** Permanent failures in a row that disable a digest subscription. */
  readonly digestMaxBounces: number;
  /** Vectors for search by meaning, similar papers and For you (see src/search/embed/). */
  readonly embedder: {
    readonly kind: 'builtin' | 'transformer' | 'http' | 'off';
    readonly model: string | undefined;
    readonly url: string | undefined;
    readonly apiKey: string | undefined;
    readonly timeoutMs: number;
    readonly batch: number;
    readonly modelDir: string;
    /** Which ONNX weights the transformer embedder runs (`auto`: see PAPERBOY_EMBEDDER_DTYPE). */
    readonly dtype: 'auto' | 'fp32' | 'fp16' | 'q8';
  };
  /** Hybrid search's reciprocal rank fusion. */
  readonly fusion: FusionWeights;
  /** Which scan the vector index uses (src/search/vector-index.ts). */
  readonly vectorIndex: 'exact' | 'int8';
}

/** Raised for a bad variable; `main.ts` prints the message and exits with status 2. */
export class ConfigError extends Error {}

/** Reads `NAME`, or the contents of the file named by `NAME_FILE` (for secrets kept in files). */
function readVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${(err as Error).message})`);
    }
  }
  return undefined;
}

/** Parses configuration from an environment (process.env by default) and freezes it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  // Without PAPERBOY_BASE_URL the base URL follows the port, including a port given on the command line.
  const parsed: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, def] of Object.entries(VARIABLES)) {
    const result = (def.schema as z.ZodType).safeParse(readVar(env, name));
    if (result.success) parsed[name] = result.data;
    else problems.push(`${name}=${JSON.stringify(readVar(env, name))}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const p = parsed as Parsed;
  if (p.PAPERBOY_EMBEDDER === 'transformer' && !p.PAPERBOY_EMBEDDER_MODEL) {
    throw new ConfigError('Invalid configuration:\n  PAPERBOY_EMBEDDER_MODEL: PAPERBOY_EMBEDDER=transformer needs a hub name or a local model folder');
  }
  if (p.PAPERBOY_EMBEDDER === 'http' && (!p.PAPERBOY_EMBEDDER_URL || !p.PAPERBOY_EMBEDDER_MODEL)) {
    throw new ConfigError('Invalid configuration:\n  PAPERBOY_EMBEDDER_URL: PAPERBOY_EMBEDDER=http needs PAPERBOY_EMBEDDER_URL and PAPERBOY_EMBEDDER_MODEL');
  }
  const port = overrides.port ?? p.PORT;
  return Object.freeze({
    databaseUrl: p.PAPERBOY_DATABASE_URL,
    port,
    baseUrl: (p.PAPERBOY_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    feedTimezone: p.PAPERBOY_FEED_TIMEZONE,
    logLevel: p.LOG_LEVEL,
    demoData: p.PAPERBOY_DEMO_DATA,
    arxiv: Object.freeze({
      sync: p.PAPERBOY_ARXIV_SYNC === 'on',
      apiUrl: p.PAPERBOY_ARXIV_API_URL,
      oaiUrl: p.PAPERBOY_ARXIV_OAI_URL,
      rssUrl: p.PAPERBOY_ARXIV_RSS_URL,
      delayMs: p.PAPERBOY_ARXIV_DELAY_MS,
      timeoutMs: p.PAPERBOY_ARXIV_TIMEOUT_MS,
      categories: Object.freeze([...p.PAPERBOY_ARXIV_CATEGORIES]),
      oaiSets: Object.freeze([...p.PAPERBOY_ARXIV_OAI_SETS]),
    }),
    contactEmail: p.PAPERBOY_CONTACT_EMAIL,
    hfUrl: p.PAPERBOY_HF_URL,
    smtpUrl: p.PAPERBOY_SMTP_URL,
    mailFrom: p.PAPERBOY_MAIL_FROM,
    secret: p.PAPERBOY_SECRET,
    submitWindowDays: p.PAPERBOY_SUBMIT_WINDOW_DAYS,
    submitDailyQuota: p.PAPERBOY_SUBMIT_DAILY_QUOTA,
    feedCutoffHour: p.PAPERBOY_FEED_CUTOFF_HOUR,
    rateLimits: Object.freeze(parseRateLimits(p.PAPERBOY_RATE_LIMITS) as Record<RateLimitAction, RateLimitRule>),
    trustProxy: p.PAPERBOY_TRUST_PROXY === 'on',
    digestRate: p.PAPERBOY_DIGEST_RATE,
    digestMaxBounces: p.PAPERBOY_DIGEST_MAX_BOUNCES,
    embedder: Object.freeze({
      kind: p.PAPERBOY_EMBEDDER,
      model: p.PAPERBOY_EMBEDDER_MODEL,
      url: p.PAPERBOY_EMBEDDER_URL,
      apiKey: p.PAPERBOY_EMBEDDER_API_KEY,
      timeoutMs: p.PAPERBOY_EMBEDDER_TIMEOUT_MS,
      batch: p.PAPERBOY_EMBEDDER_BATCH,
      modelDir: p.PAPERBOY_MODEL_DIR,
      dtype: p.PAPERBOY_EMBEDDER_DTYPE,
    }),
    fusion: parseFusion(p.PAPERBOY_SEARCH_FUSION) as FusionWeights,
    vectorIndex: p.PAPERBOY_VECTOR_INDEX,
    ...overrides,
  });
}

/** The effective configuration with secrets hidden, for `paperboy config`. */
export function describeConfig(env: NodeJS.ProcessEnv = process.env): Array<{ name: string; value: string; help: string }> {
  return Object.entries(VARIABLES).map(([name, def]) => {
    const raw = readVar(env, name);
    const value = raw ?? (def.schema as z.ZodType).safeParse(undefined).data;
    const text = value === undefined ? '(unset)' : def.secret ? redact(String(value)) : String(value);
    const shown = raw === undefined ? `${text} (default)` : text;
    return { name, value: shown, help: def.help };
  });
}

/** Hides passwords inside URLs; plain paths stay readable. */
function redact(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const u = new URL(value);
    if (u.password) u.password = '****';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '****');
    return u.toString();
  } catch {
    return '****';
  }
}
