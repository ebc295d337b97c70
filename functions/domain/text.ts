import * as z from 'zod';

/**
 * Free text that people type (descriptions, notes, replies, reasons, names, addresses): the one rule
 * every route applies, so that a text of nothing (`"\u0000"`, spaces, zero-width spaces, an ideographic
 * space U+3000) is refused rather than recorded as if someone had said something.
 *
 * - Control characters are refused, except tab and line breaks: C0 (NUL included), DEL, C1, and lone
 *   surrogates (half a character, which no UTF-8 store can keep). Refused rather than stripped, so what
 *   is saved is exactly what was sent. CR LF and CR become LF.
 * - What has no visible form does not count: whitespace (every Unicode space), format characters
 *   (zero-width space and joiners, BOM, bidi marks), default-ignorable code points (Hangul fillers,
 *   variation selectors) and the blank Braille pattern. They are cut from both ends; the text must
 *   keep at least one other character.
 * - `max` counts UTF-16 code units of what remains, like `String.length`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const refusedControl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
const loneSurrogate = /\p{Cs}/u;
const invisible = '[\\p{White_Space}\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u2800]';
const invisibleEdges = new RegExp(`^${invisible}+|${invisible}+$`, 'gu');

export const NO_CONTROL_CHARACTERS = 'control characters are not allowed (tab and line breaks are)';
export const NO_LONE_SURROGATE = 'contains half a character (a lone UTF-16 surrogate)';
export const NO_VISIBLE_CHARACTER = 'must contain at least one visible character';

/** A schema for free text of at most `max` characters: refused if blank, trimmed of what cannot be seen. */
export const meaningfulText = (max: number) =>
  z
    .string()
    .refine((text) => !refusedControl.test(text), NO_CONTROL_CHARACTERS)
    .refine((text) => !loneSurrogate.test(text), NO_LONE_SURROGATE)
    .transform((text) => text.replace(/\r\n?/g, '\n').replace(invisibleEdges, ''))
    .pipe(z.string().min(1, NO_VISIBLE_CHARACTER).max(max));
