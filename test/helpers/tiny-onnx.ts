/**
 * Writes a tiny but real sentence-embedding model folder (the layout @huggingface/transformers
 * expects: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx), so the transformer
 * embedder is tested through its real loading and inference path without any download.
 *
 * The ONNX graph is hand-encoded protobuf (no onnx package needed):
 *   last_hidden_state = Gather(embeddings, input_ids) * Unsqueeze(Cast(attention_mask, float), -1)
 * i.e. a seeded random vector per vocabulary word; the pipeline's mean pooling and normalisation do
 * the rest, so texts sharing words get close vectors and different texts different ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './prng.ts';

/** The words the tiny tokenizer knows (anything else becomes [UNK]). */
export const TINY_WORDS = [
  'graph', 'neural', 'network', 'networks', 'protein', 'folding', 'language', 'model', 'models',
  'diffusion', 'image', 'images', 'attention', 'transformer', 'retrieval', 'search', 'learning',
  'deep', 'quantum', 'physics', 'the', 'of', 'for', 'a', 'on', 'with', 'and', 'query', 'passage',
];

/**
 * Writes the model folder and returns its path; `dim` is the hidden size. With `quantizedSeed`, an
 * onnx/model_quantized.onnx with that seed's table is written too (a different model, so a test can
 * tell which file was loaded).
 */
export function writeTinyModel(dir: string, o: { dim?: number; seed?: number; quantizedSeed?: number } = {}): string {
  const dim = o.dim ?? 16;
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...TINY_WORDS];
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: dim, vocab_size: vocab.length, max_position_embeddings: 64 }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 32,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
    }),
  );
  const table = (seed: number) => {
    const rand = mulberry32(seed);
    const t = new Float32Array(vocab.length * dim);
    for (let i = 0; i < t.length; i++) t[i] = rand() * 2 - 1;
    return t;
  };
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnxModel(table(o.seed ?? 7), vocab.length, dim));
  if (o.quantizedSeed !== undefined) writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), onnxModel(table(o.quantizedSeed), vocab.length, dim));
  return dir;
}

/** A BERT-style WordPiece tokenizer over whole words: lowercase, split on spaces/punctuation, [CLS] … [SEP]. */
function tokenizerJson(vocab: string[]): unknown {
  const ids = Object.fromEntries(vocab.map((w, i) => [w, i]));
  const special = (id: number) => ({ id, content: vocab[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

// --- protobuf encoding (just what onnx.proto needs) -------------------------------------------

const FLOAT = 1;
const INT64 = 7;

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

/** A varint field. */
function vint(field: number, n: number | bigint): number[] {
  return [...varint((field << 3) | 0), ...varint(n)];
}

/** A length-delimited field (bytes, string or nested message). */
function bytes(field: number, data: number[] | Uint8Array | string): number[] {
  const b = typeof data === 'string' ? [...new TextEncoder().encode(data)] : [...data];
  return [...varint((field << 3) | 2), ...varint(b.length), ...b];
}

/** TensorShapeProto.Dimension: a fixed size or a symbolic one. */
function dim(d: number | string): number[] {
  return bytes(1, typeof d === 'number' ? vint(1, d) : bytes(2, d));
}

/** ValueInfoProto for a tensor input/output. */
function valueInfo(name: string, elemType: number, shape: Array<number | string>): number[] {
  const shapeProto = shape.flatMap(dim);
  const tensorType = [...vint(1, elemType), ...bytes(2, shapeProto)];
  return [...bytes(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** TensorProto holding raw little-endian data. */
function tensor(name: string, elemType: number, dims: number[], raw: Uint8Array): number[] {
  return [...dims.flatMap((d) => vint(1, d)), ...vint(2, elemType), ...bytes(8, name), ...bytes(9, raw)];
}

/** NodeProto; `attrs` are already-encoded AttributeProto messages. */
function node(op: string, inputs: string[], outputs: string[], attrs: number[][] = []): number[] {
  return [
    ...inputs.flatMap((i) => bytes(1, i)),
    ...outputs.flatMap((o) => bytes(2, o)),
    ...bytes(3, `${op}_${outputs[0]}`),
    ...bytes(4, op),
    ...attrs.flatMap((a) => bytes(5, a)),
  ];
}

/** AttributeProto of type INT (2). */
function intAttr(name: string, v: number): number[] {
  return [...bytes(1, name), ...vint(3, v), ...vint(20, 2)];
}

function onnxModel(table: Float32Array, vocabSize: number, hidden: number): Uint8Array {
  const axes = new Uint8Array(new BigInt64Array([-1n]).buffer);
  const graph = [
    ...bytes(1, node('Gather', ['embeddings', 'input_ids'], ['tokens'])),
    ...bytes(1, node('Cast', ['attention_mask'], ['mask_f'], [intAttr('to', FLOAT)])),
    ...bytes(1, node('Unsqueeze', ['mask_f', 'axes'], ['mask_3d'])),
    ...bytes(1, node('Mul', ['tokens', 'mask_3d'], ['last_hidden_state'])),
    ...bytes(2, 'tiny'),
    ...bytes(5, tensor('embeddings', FLOAT, [vocabSize, hidden], new Uint8Array(table.buffer))),
    ...bytes(5, tensor('axes', INT64, [1], axes)),
    ...bytes(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    ...bytes(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    ...bytes(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', hidden])),
  ];
  const model = [
    ...vint(1, 8), // ir_version
    ...bytes(2, 'paperboy-test'),
    ...bytes(7, graph),
    ...bytes(8, [...bytes(1, ''), ...vint(2, 13)]), // opset_import: default domain, opset 13
  ];
  return Uint8Array.from(model);
}
