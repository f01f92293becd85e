/** The site stylesheet, read once at start-up and addressed by a content hash so browsers may cache it forever. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const css = readFileSync(new URL('../assets/style.css', import.meta.url), 'utf8');
const hash = createHash('sha256').update(css).digest('hex').slice(0, 12);

/** The CSS text, its content hash and the URL pages link to (changes whenever the CSS does). */
export const stylesheet = Object.freeze({ css, hash, href: `/assets/style.${hash}.css` });
