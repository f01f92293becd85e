/**
 * `paperboy user …`: accounts from the command line, for the first admin and for moderation without
 * the web UI. Every subcommand calls the same store functions the site uses.
 */
import { parseArgs } from 'node:util';
import { createApiToken } from '../store/tokens.ts';
import { createUser, getUserByHandle, ROLES, setBanned, setRole, UserError, type UserRole } from '../store/users.ts';
import { UsageError, withDatabase } from './common.ts';

/** Usage lines of `paperboy user`, shown in the main usage. */
export const USER_USAGE = `  user create --email E --handle H [--role user|moderator|admin] [--name "Display Name"]
                                        create an account (it signs in by e-mailed link)
  user promote H [--role moderator|admin|user]
                                        set a user's role (default moderator)
  user ban H | user unban H             ban (ends every session, tokens stop working) or unban
  user token H [--name NAME]            print a new personal API token for the user`;

function parseRole(value: string | undefined, fallback: UserRole): UserRole {
  if (value === undefined) return fallback;
  if (!(ROLES as readonly string[]).includes(value)) throw new UsageError(`--role accepts ${ROLES.join(', ')}, got ${value}`);
  return value as UserRole;
}

function oneHandle(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new UsageError(`user ${sub} takes exactly one HANDLE`);
  return positionals[0]!;
}

/** Runs `paperboy user SUBCOMMAND …`; a refusal (unknown handle, taken address) exits 1 with its message. */
export async function cmdUser(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, handle: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  // Validate the command line fully before touching the database.
  let run: Parameters<typeof withDatabase<string>>[0];
  switch (sub) {
    case 'create': {
      if (!values.email || !values.handle) throw new UsageError('user create needs --email E and --handle H');
      if (positionals.length > 0) throw new UsageError('user create takes no positional arguments');
      const role = parseRole(values.role, 'user');
      run = async ({ conn }) => {
        const u = await createUser(conn.db, { email: values.email!, handle: values.handle!, role, displayName: values.name ?? null });
        return `created @${u.handle} <${u.email}> (${u.role})`;
      };
      break;
    }
    case 'promote': {
      const handle = oneHandle(positionals, sub);
      const role = parseRole(values.role, 'moderator');
      run = async ({ conn }) => {
        const u = await setRole(conn.db, handle, role);
        return `@${u.handle} is now ${u.role}`;
      };
      break;
    }
    case 'ban':
    case 'unban': {
      const handle = oneHandle(positionals, sub);
      run = async ({ conn }) => {
        const before = await getUserByHandle(conn.db, handle);
        const u = await setBanned(conn.db, handle, sub === 'ban');
        const change = sub === 'ban' ? (before?.bannedAt ? 'was already banned' : 'is banned; sessions ended, API tokens refused') : 'is no longer banned';
        return `@${u.handle} ${change}`;
      };
      break;
    }
    case 'token': {
      const handle = oneHandle(positionals, sub);
      run = async ({ conn }) => {
        const u = await getUserByHandle(conn.db, handle);
        if (!u) throw new UserError(`There is no user with the handle "${handle}".`);
        const { token } = await createApiToken(conn.db, u.id, values.name ?? 'CLI token');
        // Only the token on stdout, so `TOKEN=$(paperboy user token H)` works.
        return token;
      };
      break;
    }
    default:
      throw new UsageError(sub === undefined ? 'user needs a subcommand: create, promote, ban, unban or token' : `unknown user subcommand: ${sub}`);
  }
  try {
    process.stdout.write(`${await withDatabase(run)}\n`);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`paperboy user ${sub}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
