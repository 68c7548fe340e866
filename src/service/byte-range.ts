/**
 * One HTTP byte range (RFC 9110 §14): what a browser's <video> asks for when it seeks. Several ranges
 * in one request are answered with the whole file (allowed: a server may ignore Range).
 */

export type RangeAnswer = { start: number; end: number } | 'unsatisfiable' | null;

/** The inclusive range `header` asks for in a file of `size` bytes; null for the whole file. */
export function parseByteRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return end < start ? null : { start, end };
}
