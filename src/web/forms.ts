/** Reading submitted forms: every route that accepts a form post reads it the same forgiving way. */
import type { Context } from 'hono';

/** The posted form's fields; a body that cannot be parsed (wrong type, broken encoding) counts as an empty form. */
export async function formBody(c: Context): Promise<Record<string, unknown>> {
  try {
    return await c.req.parseBody();
  } catch {
    return {};
  }
}

/** A field as text: missing fields and file uploads read as the empty string. */
export function formText(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
