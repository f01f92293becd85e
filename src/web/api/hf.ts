import type { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';

// Placeholder, being written.
export function registerHfApi(_app: Hono, _deps: AppDeps): void {}
