import type { SurveyView } from '#application/survey.ts';

/**
 * The requester's survey page: a plain HTML form (no script, so it works on any phone), posting back to
 * the same link. Every text from the order is escaped.
 */

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (body: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>12345 回访</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem;line-height:1.5}` +
  `fieldset{border:1px solid #ccc;margin:0 0 1rem;border-radius:.5rem}label{display:block;padding:.2rem 0}button{font-size:1rem;padding:.5rem 1.5rem}</style></head><body>${body}</body></html>`;

const choice = (name: string, options: readonly [string, string][]) =>
  options
    .map(
      ([value, label], i) =>
        `<label><input type="radio" name="${name}" value="${value}"${i === 0 ? ' required' : ''}> ${label}</label>`,
    )
    .join('');

export const renderSurveyPage = (
  args: { view: SurveyView; token: string } | { thanks: true } | { error: string },
): string => {
  if ('thanks' in args) return page('<h1>感谢您的评价</h1><p>Thank you: your answer was recorded.</p>');
  if ('error' in args) return page(`<h1>12345 回访</h1><p>${escapeHtml(args.error)}</p>`);
  const { view, token } = args;
  const reply = view.reply ? `<p>办理单位答复 (reply): ${escapeHtml(view.reply.text)}</p>` : '';
  return page(
    `<h1>12345 回访</h1><p>您 ${escapeHtml(view.receivedOn)} 反映的“${escapeHtml(view.category)}”问题` +
      `${view.unit ? `，承办单位：${escapeHtml(view.unit)}` : ''}。</p>${reply}` +
      `<form method="post" action="${escapeHtml(encodeURIComponent(token))}">` +
      `<fieldset><legend>办理单位是否在时限内联系过您？ Were you contacted in time?</legend>${choice(
        'contactedInTime',
        [
          ['true', '是 yes'],
          ['false', '否 no'],
        ],
      )}</fieldset>` +
      `<fieldset><legend>问题是否解决？ Is it solved?</legend>${choice('solved', [
        ['solved', '已解决 solved'],
        ['partly', '部分解决 partly'],
        ['not', '未解决 not solved'],
      ])}</fieldset>` +
      `<fieldset><legend>您是否满意？ Are you satisfied?</legend>${choice('satisfied', [
        ['satisfied', '满意 satisfied'],
        ['basically', '基本满意 basically'],
        ['not', '不满意 not satisfied'],
      ])}</fieldset>` +
      `<fieldset><legend>其他意见（可选） Anything else?</legend><textarea name="comment" maxlength="1000" rows="4" style="width:100%"></textarea></fieldset>` +
      `<button type="submit">提交 Submit</button></form><p><small>此链接仅可提交一次。 This link works once.</small></p>`,
  );
};
