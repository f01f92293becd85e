/** The client script (assets/app.js), read once at start-up and addressed by a content hash so browsers may cache it forever. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const js = readFileSync(new URL('../assets/app.js', import.meta.url), 'utf8');
const hash = createHash('sha256').update(js).digest('hex').slice(0, 12);

/** The script text, its content hash and the URL pages load it from (changes whenever the script does). */
export const appScript = Object.freeze({ js, hash, href: `/assets/app.${hash}.js` });
