/**
 * CLIP's byte-level BPE tokenizer (pure), read from a model's own `vocab.json` and `merges.txt` (the
 * Hugging Face layout). Gives OpenAI's ids: text cleaned of extra whitespace and lower-cased, split by
 * CLIP's pattern, UTF-8 bytes mapped to printable characters, merged by rank; wrapped in
 * <|startoftext|> (49406) and <|endoftext|> (49407) and padded with 0 to the context length (77).
 */

export const CLIP_CONTEXT_LENGTH = 77;

export interface TokenBatch {
  /** [count, contextLength] row-major. */
  inputIds: BigInt64Array;
  /** 1 for real tokens (start and end included), 0 for padding. */
  attentionMask: BigInt64Array;
  count: number;
  contextLength: number;
}

/** GPT-2's reversible map from bytes to printable characters (so BPE never sees whitespace or control bytes). */
function byteToChar(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map: string[] = new Array(256);
  for (const b of printable) map[b] = String.fromCodePoint(b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (map[b] === undefined) map[b] = String.fromCodePoint(256 + extra++);
  return map;
}

const WORD_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;
const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", nbsp: ' ' };

/** CLIP's text cleaning: the common HTML entities decoded, whitespace collapsed, lower case. */
export function cleanClipText(text: string): string {
  const unescaped = text.replace(/&(amp|lt|gt|quot|apos|#39|nbsp);/g, (_, name: string) => HTML_ENTITIES[name]);
  return unescaped.replace(/\s+/g, ' ').trim().toLowerCase();
}

export class ClipTokenizer {
  readonly startId: number;
  readonly endId: number;
  private readonly encoder: Map<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly bytes = byteToChar();
  private readonly utf8 = new TextEncoder();
  private readonly cache = new Map<string, number[]>();

  private constructor(encoder: Map<string, number>, ranks: Map<string, number>) {
    this.encoder = encoder;
    this.ranks = ranks;
    const start = encoder.get('<|startoftext|>');
    const end = encoder.get('<|endoftext|>');
    if (start === undefined || end === undefined) throw new Error('CLIP vocabulary without <|startoftext|> and <|endoftext|>');
    this.startId = start;
    this.endId = end;
  }

  /** From the text of `vocab.json` (token -> id) and `merges.txt` (one merge per line, ranked by order). */
  static fromFiles(vocabJson: string, mergesText: string): ClipTokenizer {
    const vocab = JSON.parse(vocabJson) as Record<string, number>;
    const encoder = new Map<string, number>(Object.entries(vocab));
    const ranks = new Map<string, number>();
    let rank = 0;
    for (const line of mergesText.split('\n')) {
      if (line.startsWith('#version') || line.trim() === '') continue;
      const parts = line.split(' ');
      if (parts.length !== 2) throw new Error(`bad merges line: ${line}`);
      ranks.set(`${parts[0]} ${parts[1]}`, rank++);
    }
    return new ClipTokenizer(encoder, ranks);
  }

  get vocabularySize(): number {
    return this.encoder.size;
  }

  /** Token ids of the text, without start and end tokens. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanClipText(text).matchAll(WORD_PATTERN)) {
      const word = match[0];
      if (word === '<|startoftext|>' || word === '<|endoftext|>') {
        ids.push(this.encoder.get(word)!);
        continue;
      }
      let mapped = '';
      for (const b of this.utf8.encode(word)) mapped += this.bytes[b];
      ids.push(...this.wordIds(mapped));
    }
    return ids;
  }

  /** Start, tokens, end, zero padding; cut to `contextLength` keeping the end token, as OpenAI's `truncate=True`. */
  encodeForModel(text: string, contextLength = CLIP_CONTEXT_LENGTH): number[] {
    const body = this.encode(text).slice(0, contextLength - 2);
    const ids = [this.startId, ...body, this.endId];
    while (ids.length < contextLength) ids.push(0);
    return ids;
  }

  /**
   * A batch of texts, each cut to `contextLength`. `padding: 'longest'` pads only to the batch's longest
   * text (for a model with a dynamic sequence length: the causal text transformer's output at the end
   * token does not depend on what follows it, so this is exact and much faster for short prompts).
   */
  encodeBatch(texts: readonly string[], contextLength = CLIP_CONTEXT_LENGTH, padding: 'max' | 'longest' = 'max'): TokenBatch {
    const rows = texts.map((text) => [this.startId, ...this.encode(text).slice(0, contextLength - 2), this.endId]);
    const length = padding === 'longest' ? Math.max(1, ...rows.map((r) => r.length)) : contextLength;
    const inputIds = new BigInt64Array(texts.length * length);
    const attentionMask = new BigInt64Array(texts.length * length);
    rows.forEach((ids, row) => {
      ids.forEach((id, k) => {
        inputIds[row * length + k] = BigInt(id);
        attentionMask[row * length + k] = 1n;
      });
    });
    return { inputIds, attentionMask, count: texts.length, contextLength: length };
  }

  private wordIds(word: string): number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const chars = [...word];
    let parts = [...chars.slice(0, -1), chars[chars.length - 1] + '</w>'];
    while (parts.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < parts.length - 1; i++) {
        const r = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      // Merge every occurrence of the best pair, left to right.
      const [a, b] = [parts[best], parts[best + 1]];
      const merged: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (i < parts.length - 1 && parts[i] === a && parts[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(parts[i]);
      }
      parts = merged;
    }
    const ids = parts.map((p) => {
      const id = this.encoder.get(p);
      if (id === undefined) throw new Error(`token ${p} is not in the CLIP vocabulary`);
      return id;
    });
    this.cache.set(word, ids);
    return ids;
  }
}
