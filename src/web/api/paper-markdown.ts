/** `/papers/{id}.md`: a paper as Markdown, for people and language-model tools that read plain text. */
import type { Entry } from '../../store/entries.ts';
import type { Paper } from '../../store/papers.ts';
import { oneLine } from './hf-shapes.ts';

/**
 * arXiv abstracts are hard-wrapped at ~80 columns, and a new paragraph is a line that starts with
 * spaces (or follows a blank line); join the wrapped lines so Markdown renders real paragraphs.
 */
export function unwrapAbstract(abstract: string): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of abstract.replace(/\r\n?/g, '\n').split('\n')) {
    const startsParagraph = /^\s+\S/.test(line) && current.length > 0;
    if (line.trim() === '' || startsParagraph) {
      if (current.length > 0) paragraphs.push(current.join(' '));
      current = [];
    }
    if (line.trim() !== '') current.push(line.trim());
  }
  if (current.length > 0) paragraphs.push(current.join(' '));
  return paragraphs.join('\n\n');
}

// Angle brackets would become raw HTML in most Markdown renderers; escaping them keeps the text inert.
function inline(s: string): string {
  return oneLine(s).replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;'));
}

// Only plain web links: a `javascript:` autolink in a community-edited field must never become clickable.
function safeUrl(u: string | null): string | null {
  return u && /^https?:\/\/[^\s<>]+$/i.test(u) ? u : null;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Renders the paper page as Markdown; `baseUrl` makes the page link absolute. */
export function paperMarkdown(p: Paper, entry: Entry | undefined, baseUrl: string): string {
  const lines: string[] = [`# ${inline(p.title)}`, ''];
  if (p.authors.length > 0) lines.push(`**Authors:** ${p.authors.map(inline).join(', ')}`, '');
  const abs = `https://arxiv.org/abs/${p.id}`;
  lines.push(`- arXiv: [${p.id}](${abs})`);
  lines.push(`- PDF: <https://arxiv.org/pdf/${p.id}>`);
  lines.push(`- Page: <${baseUrl}/papers/${p.id}>`);
  const updated = day(p.updatedAt) !== day(p.publishedAt) ? ` (v${p.version} updated ${day(p.updatedAt)})` : '';
  lines.push(`- Published: ${day(p.publishedAt)}${updated}`);
  if (p.categories.length > 0) lines.push(`- Categories: ${p.categories.map(inline).join(', ')}`);
  const code = safeUrl(p.codeUrl);
  const project = safeUrl(p.projectUrl);
  if (code) lines.push(`- Code: <${code}>`);
  if (project) lines.push(`- Project page: <${project}>`);
  if (p.comment) lines.push(`- Comment: ${inline(p.comment)}`);
  if (p.journalRef) lines.push(`- Journal reference: ${inline(p.journalRef)}`);
  if (p.doi) lines.push(`- DOI: [${inline(p.doi)}](https://doi.org/${encodeURI(p.doi).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)})`);
  if (entry) {
    const by = entry.submitterName ?? entry.submitterHandle;
    lines.push(`- Daily Papers: ${entry.feedDate}${by ? `, submitted by ${inline(by)}` : ''}, ${entry.upvotes} upvote${entry.upvotes === 1 ? '' : 's'}`);
  }
  lines.push('', '## Abstract', '', unwrapAbstract(p.abstract).replace(/[<>]/g, (ch) => (ch === '<' ? '&lt;' : '&gt;')), '');
  return lines.join('\n');
}
