import type { PiiType } from '../lineage/catalogExport';

/**
 * PII detection by the product brief's governance policy (`pii_detection.patterns`: social
 * security number, credit card number, email address, phone number). A column is tagged with a
 * kind when enough of its sampled values look like it; card numbers must pass the Luhn check and
 * SSNs the SSA's numbering rules, so ids and amounts do not pass for personal data.
 *
 * Pure functions over values, shared by the backend (table scans, staged run output), the
 * frontend and code generation, so every part of the product calls the same thing PII.
 */

/** @public */
export const PII_TYPES: readonly PiiType[] = [
  'ssn',
  'credit_card',
  'email',
  'phone',
];

/** The Luhn (mod 10) check of a string of digits. @public */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}$/;
const SSN = /^(\d{3})[- ]?(\d{2})[- ]?(\d{4})$/;
const CARD = /^\d(?:[ -]?\d){12,18}$/;
const PHONE_CHARS = /^\+?[\d\s().-]{7,24}$/;

function isSsn(text: string): boolean {
  const match = SSN.exec(text);
  if (!match) return false;
  // Bare nine digits are too often other ids: only the written form counts.
  if (!/[- ]/.test(text)) return false;
  const [, area, group, serial] = match;
  return (
    area !== '000' &&
    area !== '666' &&
    area[0] !== '9' &&
    group !== '00' &&
    serial !== '0000'
  );
}

function isCard(text: string): boolean {
  if (!CARD.test(text)) return false;
  const digits = text.replace(/[ -]/g, '');
  return (
    digits.length >= 13 &&
    digits.length <= 19 &&
    // issuer identification numbers start 2–6 (Mastercard, Visa, Amex, Discover, ...)
    /^[2-6]/.test(digits) &&
    luhnValid(digits)
  );
}

function isPhone(text: string): boolean {
  if (!PHONE_CHARS.test(text)) return false;
  const digits = text.replace(/\D/g, '');
  if (text.startsWith('+')) {
    // E.164: a country code and up to 15 digits in all
    return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0';
  }
  // National numbers must be written with separators, or they are just numbers.
  return (
    /[\s().-]/.test(text) &&
    digits.length >= 10 &&
    digits.length <= 12 &&
    (text.match(/\d+/g) ?? []).length >= 2
  );
}

/** The PII kinds one value looks like (usually none or one). @public */
export function piiTypesOf(value: unknown): PiiType[] {
  if (typeof value !== 'string' && typeof value !== 'number') return [];
  const text = String(value).trim();
  if (text.length < 6 || text.length > 254) return [];
  const types: PiiType[] = [];
  if (EMAIL.test(text)) types.push('email');
  if (isSsn(text)) types.push('ssn');
  else if (isCard(text)) types.push('credit_card');
  else if (isPhone(text)) types.push('phone');
  return types;
}

const NAME_HINTS: Array<[PiiType, RegExp]> = [
  ['email', /(^|_)e_?mail(_?address)?($|_)/],
  ['phone', /(^|_)(phone|mobile|msisdn|tel|telephone)(_?(number|no))?($|_)/],
  ['ssn', /(^|_)(ssn|social_?security(_?number)?)($|_)/],
  [
    'credit_card',
    /(^|_)(credit_?card|card_?(number|no)|cc_?(num|number)|pan)($|_)/,
  ],
];

/** PII kinds a column name announces (`email`, `customer_phone`, `ssn`, `card_number`). @public */
export function piiTypesOfName(column: string): PiiType[] {
  const name = column.toLocaleLowerCase('en-US');
  return NAME_HINTS.filter(([, pattern]) => pattern.test(name)).map(
    ([type]) => type,
  );
}

/** @public */
export interface PiiDetectionOptions {
  /** Share of a column's non-empty samples that must match a kind. Default 0.5. */
  threshold?: number;
}

/**
 * PII kinds per column from sampled values: a kind is reported when at least `threshold` of the
 * column's non-empty samples match it. A column without any sample (an empty table) is judged by
 * its name instead. Columns without PII are left out.
 * @public
 */
export function detectPii(
  samples: Record<string, unknown[]>,
  options: PiiDetectionOptions = {},
): Record<string, PiiType[]> {
  const threshold = options.threshold ?? 0.5;
  const findings: Record<string, PiiType[]> = {};
  for (const [column, values] of Object.entries(samples)) {
    const present = values.filter(
      v => v !== null && v !== undefined && String(v).trim() !== '',
    );
    let types: PiiType[];
    if (present.length === 0) {
      types = piiTypesOfName(column);
    } else {
      const counts = new Map<PiiType, number>();
      for (const value of present) {
        for (const type of piiTypesOf(value)) {
          counts.set(type, (counts.get(type) ?? 0) + 1);
        }
      }
      types = PII_TYPES.filter(
        type => (counts.get(type) ?? 0) >= threshold * present.length,
      );
    }
    if (types.length > 0) findings[column] = types;
  }
  return findings;
}
