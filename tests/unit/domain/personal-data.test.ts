import { describe, expect, it } from 'vitest';
import { maskPhone, redactPersonalData } from '#domain/personal-data.ts';

describe('redactPersonalData', () => {
  it.each([
    ['a mobile', '请联系13800138000谢谢', '请联系[号码]谢谢'],
    ['a mobile in groups of spaces', '电话 138 0013 8000。', '电话 [号码]。'],
    ['a mobile in groups of dashes', '电话138-0013-8000', '电话[号码]'],
    ['a mobile with +86', '回电 +86 138 0013 8000 即可', '回电 [号码] 即可'],
    ['a mobile with 0086', '0086-13800138000', '[号码]'],
    ['a mobile in full-width digits', '手机１３８００１３８０００', '手机[号码]'],
    ['a landline with its area code in brackets', '座机(010) 6512-3456', '座机([号码]'],
    ['a landline with its area code', '010-65123456转8001', '[号码]转8001'],
    ['a local landline of 8 digits', '打6512 3456找王师傅', '打[号码]找王师傅'],
    ['a run of exactly 7 digits', '号码1234567', '号码[号码]'],
    ['a bank card (any long number)', '卡号6222 0212 3456 7890', '卡号[号码]'],
  ])('replaces %s', (_, text, expected) => {
    expect(redactPersonalData(text)).toBe(expected);
  });

  it.each([
    ['the hotline itself', '已拨打12345反映'],
    ['a house and flat number', '3号楼2单元502室'],
    ['a postcode (6 digits)', '邮编100010'],
    ['a run of 6 digits with a separator', '123-456'],
    ['a date with dashes', '2026-12-03晚上'],
    ['a date with dots, month and day of one digit', '自2026.1.3起'],
    ['a year and an amount', '2025年交了3500元'],
    ['a time', '20:30到23:00施工'],
  ])('keeps %s', (_, text) => {
    expect(redactPersonalData(text)).toBe(text);
  });

  it.each([
    ['1900-12-03', true],
    ['1899-12-03', false],
    ['2026-01-03', true],
    ['2026-00-03', false],
    ['2026-12-03', true],
    ['2026-13-03', false],
    ['2026-12-01', true],
    ['2026-12-00', false],
    ['2026-12-31', true],
    ['2026-12-32', false],
    ['2026－12－03', true],
    ['12026-12-03', false],
    ['2026-12-031', false],
  ])('keeps %s as a date: %s (else it is a number)', (text, kept) => {
    expect(redactPersonalData(text)).toBe(kept ? text : '[号码]');
  });

  it.each([
    ['an 18-digit resident ID', '身份证110101199003071234。', '身份证[证件号]。'],
    ['an 18-character resident ID ending in X', '证件11010119900307123X号', '证件[证件号]号'],
    ['an 18-character resident ID ending in x', '11010119900307123x', '[证件号]'],
    ['a 15-digit resident ID', '旧证110101900307123', '旧证[证件号]'],
    ['an ID in full-width digits', '１１０１０１１９９００３０７１２３４', '[证件号]'],
  ])('replaces %s', (_, text, expected) => {
    expect(redactPersonalData(text)).toBe(expected);
  });

  it('takes a 16- or 19-digit run for a number, not an ID', () => {
    expect(redactPersonalData('1101011990030712')).toBe('[号码]');
    expect(redactPersonalData('1101011990030712345')).toBe('[号码]');
  });

  it('takes 15 digits followed by an X for a number: an old ID has no check letter', () => {
    expect(redactPersonalData('110101900307123X')).toBe('[号码]X');
  });

  it.each([
    ['an e-mail address', '发到zhang.san+hotline@example.com.cn吧', '发到[邮箱]吧'],
    ['an e-mail address with a full-width @ and dot', '邮箱zhangsan＠qq．com', '邮箱[邮箱]'],
    ['an e-mail address made of a phone number', '13800138000@qq.com', '[邮箱]'],
  ])('replaces %s', (_, text, expected) => {
    expect(redactPersonalData(text)).toBe(expected);
  });

  it('keeps an @ that is no address', () => {
    expect(redactPersonalData('@物业 请处理; a@b 不是地址')).toBe('@物业 请处理; a@b 不是地址');
  });

  it('replaces every occurrence of each kind, with the marks given', () => {
    const text =
      '张三13800138000, 李四 13900139000, id 110101199003071234 and 11010119900307567X, mail a@b.cn or c@d.cn';
    expect(redactPersonalData(text, { number: '<n>', idNumber: '<id>', email: '<e>' })).toBe(
      '张三<n>, 李四 <n>, id <id> and <id>, mail <e> or <e>',
    );
  });

  it('leaves text without personal data as it is, and the empty text empty', () => {
    expect(redactPersonalData('小区门口路灯不亮')).toBe('小区门口路灯不亮');
    expect(redactPersonalData('')).toBe('');
  });
});

describe('maskPhone', () => {
  it.each([
    ['a mobile', '13800138000', '138****8000'],
    ['a mobile with +86 and dashes', '+86 138-0013-8000', '138****8000'],
    ['a mobile with 0086', '008613800138000', '138****8000'],
    ['a mobile in full-width digits', '１３８００１３８０００', '138****8000'],
    ['a landline with its area code', '010-65123456', '010****3456'],
    ['a landline of 8 digits', '6512 3456', '651*3456'],
    ['a number of 7 digits: only its last two', '1234567', '*****67'],
    ['a number of 5 digits: only its last two', '12345', '***45'],
    ['digits before 86 and a mobile: no prefix to drop', '12 86 13800138000', '128********8000'],
    ['86 and a mobile and more digits: no prefix to drop', '861380013800099', '861********0099'],
  ])('masks %s', (_, phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('never shows more than 7 digits of any number', () => {
    for (let n = 1; n <= 20; n++) {
      const masked = maskPhone('9'.repeat(n));
      expect(masked).toHaveLength(n);
      expect(masked.replace(/\*/g, '').length).toBeLessThanOrEqual(Math.min(7, n));
    }
  });
});
