/**
 * Some embedding models were trained with a fixed prefix telling queries from documents; without it
 * their retrieval quality drops noticeably. Recognised from the model name, for the transformer and
 * HTTP embedders alike (the built-in model needs none).
 */
import type { EmbedPurpose } from './embedder.ts';

const BGE_QUERY = 'Represent this sentence for searching relevant passages: ';

/** The prefix a model expects before a text embedded for `purpose` ('' when it expects none). */
export function purposePrefix(model: string, purpose: EmbedPurpose): string {
  const m = model.toLowerCase();
  if (/(^|[/_-])e5([_-]|$)/.test(m)) return purpose === 'query' ? 'query: ' : 'passage: ';
  if (m.includes('nomic-embed')) return purpose === 'query' ? 'search_query: ' : 'search_document: ';
  if (/(^|\/)(bge-[a-z]+-en|mxbai-embed-large)/.test(m)) return purpose === 'query' ? BGE_QUERY : '';
  return '';
}

/** `texts` with the model's prefix for `purpose` (the same array when there is none). */
export function withPurpose(model: string, texts: string[], purpose: EmbedPurpose): string[] {
  const prefix = purposePrefix(model, purpose);
  return prefix ? texts.map((t) => prefix + t) : texts;
}
