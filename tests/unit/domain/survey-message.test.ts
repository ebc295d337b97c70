import { describe, expect, it } from 'vitest';
import { surveyMessage } from '#domain/survey-message.ts';

/**
 * Received 00:30 CST on Wed 2026-12-02 (16:30 UTC the day before: the date a requester knows is the
 * CST one); the link works until 23:59 CST on 2026-12-09 (15:59 UTC).
 */
const args = {
  receivedAt: '2026-12-01T16:30:00.000Z',
  categoryName: '占道经营',
  link: 'https://hotline.example/s/abc123',
  expiresAt: Date.parse('2026-12-09T15:59:00.000Z'),
};

describe('surveyMessage', () => {
  it('returns the subject naming the CST day the order was received and its category', () => {
    // Act
    const { subject } = surveyMessage({ ...args, reason: 'handled' });

    // Assess
    expect(subject).toBe('12345 回访：您 2026-12-02 反映的“占道经营”问题');
  });

  it('returns for a handled order a text that says it was handled (已办结), with the link, its CST expiry and one use', () => {
    // Act
    const { text } = surveyMessage({ ...args, reason: 'handled' });

    // Assess
    expect(text).toBe(
      '【12345回访】您 2026-12-02 反映的“占道经营”问题已办结。' +
        '请告诉我们是否联系过您、问题是否解决、您是否满意：https://hotline.example/s/abc123 ' +
        '（2026-12-09 23:59 前有效，仅可提交一次）。如不需回访，可忽略本消息。',
    );
  });

  it('returns for an order whose time limit ran out a text that says so (办理时限已到), not that it was handled', () => {
    // Act
    const { subject, text } = surveyMessage({ ...args, reason: 'limit_expired' });

    // Assess
    expect(text).toBe(
      '【12345回访】您 2026-12-02 反映的“占道经营”问题办理时限已到。' +
        '请告诉我们是否联系过您、问题是否解决、您是否满意：https://hotline.example/s/abc123 ' +
        '（2026-12-09 23:59 前有效，仅可提交一次）。如不需回访，可忽略本消息。',
    );
    expect(subject).toBe('12345 回访：您 2026-12-02 反映的“占道经营”问题');
  });

  it('returns the expiry to the minute in CST, dropping seconds, across the CST midnight', () => {
    // Act: 16:00:59 UTC is 00:00:59 CST of the next day
    const { text } = surveyMessage({
      ...args,
      reason: 'handled',
      expiresAt: Date.parse('2026-12-09T16:00:59.999Z'),
    });

    // Assess
    expect(text).toContain('（2026-12-10 00:00 前有效');
  });
});
