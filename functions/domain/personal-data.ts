import { normalisePhone } from '#domain/normalise.ts';

/**
 * Personal data in what is shown beyond those who must call the requester (Art. 8; PIPL): free text
 * published to the public (Open311) with phone numbers, resident ID numbers and e-mail addresses taken
 * out, and a phone shown masked (`138****8000`) where a unit may know that someone called but not who.
 *
 * What people type is messy, so the patterns are wide on purpose (redacting a harmless number is cheap,
 * publishing a phone number is not):
 * - Digits may be ASCII or full-width (０-９), and a number may be split by spaces, dashes, dots or
 *   brackets the way people write them (`138 0013 8000`, `(010) 6512-3456`, `+86-138…`).
 * - Numbers: any run of 7 or more digits written as one number, with an optional international
 *   prefix (`+86`): mobiles, landlines with or without their area code, foreign numbers — and, as the
 *   price of that width, bank cards and long reference numbers, which are redacted too. A date
 *   written with separators (`2026-12-03`, `2026.12.3`) is not a number and stays.
 * - Resident ID numbers: 18 characters (17 digits and a check digit or X) and the old 15 digits.
 * - E-mail addresses: an ASCII local part @ a domain with a dot (the @ and dots full-width too).
 * Runs of fewer than 7 digits (house numbers, 12345 itself, years, amounts) stay.
 */

const digit = '[0-9０-９]';
/** Separators people put inside one number (up to two in a row: `(010) 6512`). */
const sep = '[\\s\\-－.．()（）]{0,2}';
/** A run of digits allowing a separator between any two, as a pattern: at least `min` digits. */
const digitRun = (min: number) => `${digit}(?:${sep}${digit}){${min - 1},}`;

// ASCII addresses (with a full-width @ or dot as typed on a Chinese keyboard): Chinese text around an
// address touches it without a space, so letters of other scripts cannot be part of one.
const email = /[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:[.．][A-Za-z0-9-]+)+/gu;
const idNumber = new RegExp(`(?<![0-9０-９])(?:${digit}{17}[0-9０-９Xx]|${digit}{15})(?![0-9０-９Xx])`, 'gu');
/** A number: an optional international prefix, then seven digits or more with separators. */
const number = new RegExp(`(?<![0-9０-９])(?:[+＋]${digit}{1,3}${sep})?${digitRun(7)}(?![0-9０-９])`, 'gu');

export interface RedactionMarks {
  readonly number: string;
  readonly idNumber: string;
  readonly email: string;
}

export const defaultMarks: RedactionMarks = { number: '[号码]', idNumber: '[证件号]', email: '[邮箱]' };

const toAscii = (s: string): string =>
  s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30));

/** A calendar date written with separators: 4-digit year from 1900, month 1-12, day 1-31. */
const isDate = (match: string): boolean => {
  const parts = /^(\d{4})[-－.．](\d{1,2})[-－.．](\d{1,2})$/.exec(toAscii(match));
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  return year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
};

/** The text with e-mail addresses, ID numbers and phone numbers replaced by their marks, in that order. */
export const redactPersonalData = (text: string, marks: RedactionMarks = defaultMarks): string =>
  text
    .replace(email, marks.email)
    .replace(idNumber, marks.idNumber)
    .replace(number, (match) => (isDate(match) ? match : marks.number));

/**
 * A phone number as the centre shows it to those who may know a call came but not from whom: its first
 * three and last four digits, the rest as stars (`138****8000`); a number of fewer than 8 digits
 * shows only its last two. Separators and any +86 prefix are dropped.
 */
export const maskPhone = (phone: string): string => {
  // The same number the requester's keyed hash is made of (digits only, the 86 of a mobile dropped).
  const digits = normalisePhone(toAscii(phone));
  if (digits.length < 8) return `${'*'.repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
};
