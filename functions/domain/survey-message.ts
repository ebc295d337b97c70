import type { CallbackReason } from './callback.ts';
import { CST_OFFSET_MS, chinaDateOf } from './china-time.ts';

/**
 * The text of a survey message (回访短信 / 邮件) in the requester's language of the hotline: what it is
 * about, the link, until when it works and that it works once. Pure, so its wording is tested.
 */
export const surveyMessage = (args: {
  receivedAt: string;
  categoryName: string;
  reason: CallbackReason;
  link: string;
  expiresAt: number;
}): { subject: string; text: string } => {
  const received = chinaDateOf(Date.parse(args.receivedAt));
  const until = new Date(args.expiresAt + CST_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
  const state = args.reason === 'handled' ? '已办结' : '办理时限已到';
  return {
    subject: `12345 回访：您 ${received} 反映的“${args.categoryName}”问题`,
    text:
      `【12345回访】您 ${received} 反映的“${args.categoryName}”问题${state}。` +
      `请告诉我们是否联系过您、问题是否解决、您是否满意：${args.link} ` +
      `（${until} 前有效，仅可提交一次）。如不需回访，可忽略本消息。`,
  };
};
