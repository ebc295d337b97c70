import { describe, expect, it } from 'vitest';
import { callbackAnswerSchema } from '#domain/callback.ts';
import { topicChoiceSchema } from '#domain/insights.ts';
import { dispositionSchema, newOrderSchema } from '#domain/order-input.ts';
import {
  meaningfulText,
  NO_CONTROL_CHARACTERS,
  NO_LONE_SURROGATE,
  NO_VISIBLE_CHARACTER,
} from '#domain/text.ts';
import newOrderJson from '../fixtures/new-order.json' with { type: 'json' };

/** Texts that say nothing: NUL, whitespace of every kind, format and default-ignorable characters. */
const blankTexts = [
  '',
  '\u0000',
  ' ',
  ' \t\n\r\n ',
  '\u3000', // ideographic space
  '\u00a0\u2007\u202f', // no-break spaces
  '\u200b\u200c\u200d\u2060', // zero-width space, non-joiner, joiner, word joiner
  '\ufeff', // BOM
  '\u200e\u200f\u202a\u202c', // bidi marks and embeddings
  '\u3164\u115f', // Hangul fillers
  '\ufe0f', // a variation selector alone
  '\u2800', // blank Braille pattern
  '\u00ad', // soft hyphen
] as const;

const messagesOf = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);

describe('meaningfulText', () => {
  const text = meaningfulText(10);

  it('returns the text trimmed of invisible characters at both ends, inner ones kept', () => {
    // Act / Assess
    expect(text.parse('  路灯不亮\u3000')).toBe('路灯不亮');
    expect(text.parse('\u200b路灯\u200b不亮\ufeff')).toBe('路灯\u200b不亮');
    expect(text.parse('a\tb')).toBe('a\tb');
  });

  it('returns line breaks as LF, whether sent as CR LF, CR or LF', () => {
    // Act / Assess
    expect(text.parse('一\r\n二\r三\n四')).toBe('一\n二\n三\n四');
  });

  it('returns a text of exactly `max` characters once trimmed, and rejects one more', () => {
    // Act / Assess
    expect(text.parse(` ${'字'.repeat(10)} `)).toBe('字'.repeat(10));
    expect(text.safeParse('字'.repeat(11)).success).toBe(false);
  });

  it('returns emoji and other astral characters, which are two UTF-16 units each', () => {
    // Act / Assess
    expect(text.parse('😀👍')).toBe('😀👍');
  });

  it('rejects every blank text as having no visible character (or a control character)', () => {
    for (const blank of blankTexts) {
      // Act
      const messages = messagesOf(text.safeParse(blank));

      // Assess
      expect(messages.length, JSON.stringify(blank)).toBeGreaterThan(0);
      expect([NO_VISIBLE_CHARACTER, NO_CONTROL_CHARACTERS], JSON.stringify(blank)).toContain(messages[0]);
    }
  });

  it('rejects NUL and the other C0 controls, DEL and C1 controls inside otherwise valid text', () => {
    // Prepare
    const controls = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f];

    // Act / Assess
    for (const code of controls)
      expect(messagesOf(text.safeParse(`路灯${String.fromCharCode(code)}不亮`)), code.toString(16)).toEqual([
        NO_CONTROL_CHARACTERS,
      ]);
  });

  it('rejects a lone surrogate, half of a character', () => {
    // Act / Assess
    expect(messagesOf(text.safeParse('路灯\ud83d'))).toEqual([NO_LONE_SURROGATE]);
    expect(messagesOf(text.safeParse('\udc00路灯'))).toEqual([NO_LONE_SURROGATE]);
  });

  it('rejects what is not a string', () => {
    // Act / Assess
    for (const value of [null, 1, true, ['a'], { text: 'a' }])
      expect(text.safeParse(value).success).toBe(false);
  });
});

describe('the free text of the domain schemas', () => {
  const order = () => structuredClone(newOrderJson) as unknown as Record<string, Record<string, unknown>>;
  const withField = (path: readonly string[], value: string) => {
    const body = order() as Record<string, unknown>;
    let at = body;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
    at[path.at(-1) as string] = value;
    return body;
  };

  it('rejects an order whose description, requester name or address is blank', () => {
    for (const path of [['description'], ['requester', 'name'], ['location', 'address']])
      for (const blank of blankTexts)
        expect(
          newOrderSchema.safeParse(withField(path, blank)).success,
          `${path} ${JSON.stringify(blank)}`,
        ).toBe(false);
  });

  it('rejects a description of only NUL, and one with NUL inside', () => {
    // Act / Assess
    expect(newOrderSchema.safeParse(withField(['description'], '\u0000')).success).toBe(false);
    expect(newOrderSchema.safeParse(withField(['description'], '路灯\u0000不亮')).success).toBe(false);
  });

  it('rejects a blank disposition note or answer', () => {
    for (const blank of blankTexts) {
      expect(dispositionSchema.safeParse({ kind: 'confidential', note: blank }).success).toBe(false);
      expect(dispositionSchema.safeParse({ kind: 'answered', answer: blank }).success).toBe(false);
    }
  });

  it('rejects a blank call-back comment and a blank topic-choice note', () => {
    // Prepare
    const answer = { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' };

    // Act / Assess
    expect(callbackAnswerSchema.safeParse({ ...answer, comment: '基本解决' }).success).toBe(true);
    expect(topicChoiceSchema.safeParse({ categoryCode: '0201', note: '物业' }).success).toBe(true);
    for (const blank of blankTexts) {
      expect(callbackAnswerSchema.safeParse({ ...answer, comment: blank }).success).toBe(false);
      expect(topicChoiceSchema.safeParse({ categoryCode: '0201', note: blank }).success).toBe(false);
    }
  });
});
