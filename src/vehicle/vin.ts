/**
 * VINs in OCR text (pure): 17 characters from the VIN alphabet (no I, O, Q) whose ISO 3779 check
 * digit (position 9) holds and whose model year and serial number are well formed. OCR confusions (O/0, I/1, L/1, ...) are repaired only where the check
 * digit then holds, so a repair can never invent a VIN that does not check.
 *
 * The check digit is mandatory for North American VINs; many European ones do not carry it. Those are
 * accepted only when the reading needs no optional repair, its WMI (positions 1-3) is a known
 * manufacturer's and its serial number ends in four digits, and they are marked as not checked, to be
 * trusted less (a 17-character string without a check digit is more easily a misread).
 */
import type { Evidence } from '../evidence/evidence.js';

export const VIN_LENGTH = 17;
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VALUES: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
for (let d = 0; d <= 9; d++) VALUES[String(d)] = d;

/** Characters a VIN may hold. */
export const VIN_ALPHABET = /^[A-HJ-NPR-Z0-9]{17}$/;

/**
 * What a misread character may really be. I, O and Q are not VIN characters: they are always the
 * digit they look like. L is a VIN character, but PP-OCR reads 1 as L often enough that it is tried as
 * 1 when the reading does not check. Other look-alikes (S/5, B/8...) are not repaired: with some
 * fifteen candidates for one repair, one of eleven check digits would pass by chance far too often.
 */
const CONFUSIONS: Record<string, readonly string[]> = { O: ['0'], Q: ['0'], I: ['1'], L: ['1'] };

/** The check digit (0-9 or X) the other 16 characters call for, or null when a character is not allowed. */
export function vinCheckDigit(vin: string): string | null {
  if (vin.length !== VIN_LENGTH) return null;
  let sum = 0;
  for (let i = 0; i < VIN_LENGTH; i++) {
    const value = VALUES[vin[i]];
    if (value === undefined) return null;
    sum += value * WEIGHTS[i];
  }
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

/**
 * Whether a VIN's structure holds beyond its check digit: the model year (position 10) is never U, Z
 * or 0, and the serial number ends in digits (positions 15-17 are numeric even for the smallest
 * manufacturers, 49 CFR 565.15). This stops words OCR glued together from passing by chance.
 */
function plausibleVin(vin: string): boolean {
  return vinCheckDigit(vin) === vin[8] && !/[UZ0]/.test(vin[9]) && /\d{3}$/.test(vin);
}

export function isValidVin(vin: string): boolean {
  return VIN_ALPHABET.test(vin) && plausibleVin(vin);
}

export interface VinCandidate {
  vin: string;
  /** The 17 characters as read. */
  read: string;
  /** Positions (0-based) changed to make the check digit hold. */
  repaired: number[];
  /** False for a VIN accepted without a check digit (structure and WMI only). */
  checked?: boolean;
  /** A VIN of a maker's own scheme from before 1981 (see legacyVin): not decodable. */
  legacy?: boolean;
}

export interface VinOptions {
  maxRepairs?: number;
  /** Known WMIs: a VIN whose check digit does not hold may still be accepted when its WMI is one of them. */
  knownWmi?: (wmi: string) => boolean;
}

/**
 * A VIN without a valid check digit (most European VINs) as read, with only the forced repairs (I, O,
 * Q are never VIN characters): accepted when its WMI is known and the serial number ends in four digits.
 */
export function uncheckedVin(read: string, knownWmi: (wmi: string) => boolean): VinCandidate | null {
  if (read.length !== VIN_LENGTH) return null;
  const repaired: number[] = [];
  let vin = '';
  for (const [i, ch] of [...read].entries()) {
    if (VALUES[ch] !== undefined) vin += ch;
    else if (ch === 'O' || ch === 'Q' || ch === 'I') {
      vin += ch === 'I' ? '1' : '0';
      repaired.push(i);
    } else return null;
  }
  if (!/\d{4}$/.test(vin) || !/[A-Z]/.test(vin.slice(0, 3)) || !knownWmi(vin.slice(0, 3))) return null;
  return { vin, read, repaired, checked: false };
}

/** Shortest and longest VINs of the makers' own schemes before 1981 (Ford 11, GM and Chrysler 13, Mercedes 14). */
const LEGACY_VIN_LENGTH = { min: 6, max: 14 } as const;

/**
 * A VIN from before the 1981 standard (model years up to 1980): each maker's own scheme, letters and
 * digits ending in a serial number of at least five digits ("1Q87K9N100001", "2F02H100001",
 * "1122334455"). It has no check digit and no WMI, so nothing checks it: callers accept it only where a
 * label says it is the VIN. Spaces, dashes and stars between groups are dropped; null when it does not fit.
 */
export function legacyVin(text: string): VinCandidate | null {
  const read = text.toUpperCase().replace(/[\s\-*.]/g, '');
  if (read.length < LEGACY_VIN_LENGTH.min || read.length > LEGACY_VIN_LENGTH.max || !/^[A-Z0-9]+$/.test(read)) return null;
  // A serial number at the end; at most a few letters (division, series, engine, plant codes); not one digit repeated.
  if (!/\d{5}$/.test(read) || (read.match(/[A-Z]/g) ?? []).length > 4 || /^(\d)\1+$/.test(read)) return null;
  return { vin: read, read, repaired: [], checked: false, legacy: true };
}

/**
 * The valid VIN a 17-character reading stands for: as read when it checks, else with the fewest
 * L-for-1 repairs (at most `maxRepairs`) that make it check. Characters outside the alphabet (I, O, Q)
 * are always replaced by their look-alike digit. When two different repairs of the same size both
 * check, the reading is ambiguous: null.
 */
export function repairVin(read: string, maxRepairs = 2): VinCandidate | null {
  if (read.length !== VIN_LENGTH) return null;
  const forced = [...read].map((ch, i) => (VALUES[ch] === undefined ? i : -1)).filter((i) => i >= 0);
  if (forced.some((i) => !CONFUSIONS[read[i]]?.some((c) => VALUES[c] !== undefined))) return null;
  const optional = [...read].map((_, i) => i).filter((i) => !forced.includes(i) && CONFUSIONS[read[i]]);
  return repairAmong(read, forced, optional, maxRepairs);
}

function repairAmong(read: string, forced: readonly number[], optional: readonly number[], maxRepairs: number): VinCandidate | null {
  for (let extra = 0; extra <= Math.min(maxRepairs, optional.length); extra++) {
    const found = new Map<string, number[]>();
    for (const positions of combinations(optional, extra)) {
      const changed = [...forced, ...positions].sort((a, b) => a - b);
      for (const vin of substitutions(read, changed)) {
        if (plausibleVin(vin) && !found.has(vin)) found.set(vin, changed);
      }
    }
    if (found.size === 1) {
      const [[vin, repaired]] = [...found];
      return { vin, read, repaired };
    }
    if (found.size > 1) return null;
  }
  return null;
}

function* combinations(items: readonly number[], k: number, from = 0): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = from; i <= items.length - k; i++) for (const rest of combinations(items, k - 1, i + 1)) yield [items[i], ...rest];
}

function* substitutions(read: string, positions: readonly number[], at = 0): Generator<string> {
  if (at === positions.length) {
    yield read;
    return;
  }
  const i = positions[at];
  for (const c of CONFUSIONS[read[i]] ?? []) {
    if (VALUES[c] === undefined) continue;
    yield* substitutions(read.slice(0, i) + c + read.slice(i + 1), positions, at + 1);
  }
}

/**
 * VINs in a text line: runs of 17 letters/digits after removing spaces, dashes, asterisks and
 * similar separators (plates print `*VIN*`, labels split it in groups), each repaired if it must be.
 */
export function findVins(text: string, options: number | VinOptions = 2): VinCandidate[] {
  const { maxRepairs = 2, knownWmi } = typeof options === 'number' ? { maxRepairs: options } : options;
  const found = new Map<string, VinCandidate>();
  const upper = text.toUpperCase();
  // Labels often prefix "VIN" or "VIN:"; the prefix must not glue onto the number.
  const tokens = upper.replace(/\bVIN\b\s*[:#.]?/g, ' ').split(/[^A-Z0-9 \-*.]+/);
  for (const token of tokens) {
    const compact = token.replace(/[\s\-*.]/g, '');
    for (let i = 0; i + VIN_LENGTH <= compact.length; i++) {
      // A longer run is a VIN only at its ends (a prefix or suffix glued by OCR), never in the middle of a word.
      if (compact.length > VIN_LENGTH && i !== 0 && i !== compact.length - VIN_LENGTH) continue;
      const read = compact.slice(i, i + VIN_LENGTH);
      const candidate = repairVin(read, maxRepairs) ?? (knownWmi ? uncheckedVin(read, knownWmi) : null);
      if (candidate && !found.has(candidate.vin)) found.set(candidate.vin, candidate);
    }
  }
  return [...found.values()];
}

/** What the VIN database says about a VIN (any field may be unknown). */
export interface DecodedVin {
  vin: string;
  make: string | null;
  model: string | null;
  year: number | null;
  trim: string | null;
  bodyType: string | null;
  engine: string | null;
  fuel: string | null;
  drive: string | null;
}

/** One Evidence per known attribute of a decoded VIN: source 'vin', confidence 1 (or as given, for a VIN without check digit). */
export function vinEvidence(decoded: DecodedVin, detail?: string, confidence = 1): Evidence[] {
  const evidence: Evidence[] = [{ attribute: 'vin', value: decoded.vin, source: 'vin', confidence, detail }];
  const fields = ['make', 'model', 'year', 'trim', 'bodyType', 'engine', 'fuel', 'drive'] as const;
  for (const attribute of fields) {
    const value = decoded[attribute];
    if (value !== null && value !== '') evidence.push({ attribute, value, source: 'vin', confidence, detail });
  }
  return evidence;
}
