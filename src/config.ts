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
  const port = overrides.port ?? p.PORT;
  return Object.freeze({
    databaseUrl: p.PAPERBOY_DATABASE_URL,
    port,
    baseUrl: (p.PAPERBOY_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    feedTimezone: p.PAPERBOY_FEED_TIMEZONE,
    logLevel: p.LOG_LEVEL,
    demoData: p.PAPERBOY_DEMO_DATA,
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
