import { describe, expect, it } from 'vitest';
import {
  contactAccess,
  contactDetailsOf,
  maskContact,
  maskCreditCode,
  maskEmail,
  maskName,
  phoneIdentityText,
  requesterIdentityText,
  storedRequesterOf,
} from '#domain/requester-privacy.ts';
import { CO, COPIED, LEAD, orderIn } from './support.ts';

describe('masks', () => {
  it.each([
    ['王女士', '王**'],
    ['欧阳娜娜', '欧***'],
    ['李', '李*'],
    ['Anna Li', 'A*** L*'],
  ])('masks the name %s as %s', (name, masked) => expect(maskName(name)).toBe(masked));

  it('masks an e-mail address to its first character and domain, and a credit code to its ends', () => {
    expect(maskEmail('zhang.san@example.cn')).toBe('z***@example.cn');
    expect(maskEmail('@x')).toBe('**');
    expect(maskCreditCode('91110105MA01ABCD2X')).toBe('9111**********CD2X');
  });

  it('masks every detail given, and only those', () => {
    expect(maskContact({ name: '王女士', phone: '+86 138-0013-8000' })).toEqual({
      name: '王**',
      phone: '138****8000',
    });
    expect(maskContact({})).toEqual({});
  });
});

describe('identity and details', () => {
  it('identifies by the phone (normalised), else the credit code, else the name', () => {
    expect(requesterIdentityText({ name: '某公司', phone: '+86 139-1234-5678' })).toBe('phone:13912345678');
    expect(requesterIdentityText({ name: '某公司', creditCode: '91110105ma00abcd1x' })).toBe(
      'credit:91110105MA00ABCD1X',
    );
    expect(requesterIdentityText({ name: ' 某公司 ' })).toBe('name:某公司');
    expect(requesterIdentityText({})).toBeUndefined();
    expect(phoneIdentityText('0086 139 1234 5678')).toBe('phone:13912345678');
  });

  it('takes the details a requester gave, none for an anonymous one, and stores none of them', () => {
    const requester = {
      kind: 'person' as const,
      name: '王女士',
      phone: '13800138000',
      anonymous: false,
      declinesCallback: true,
    };
    expect(contactDetailsOf(requester)).toEqual({ name: '王女士', phone: '13800138000' });
    expect(contactDetailsOf({ kind: 'person', anonymous: true, declinesCallback: false })).toBeUndefined();
    expect(storedRequesterOf(requester, undefined)).toEqual({
      kind: 'person',
      anonymous: false,
      declinesCallback: true,
    });
  });
});

describe('contactAccess', () => {
  const viewers = {
    operator: { role: 'operator' },
    dispatcher: { role: 'dispatcher' },
    supervisor: { role: 'supervisor' },
    auditor: { role: 'auditor' },
    lead: { role: 'unit', unitId: LEAD },
    co: { role: 'unit', unitId: CO },
    copied: { role: 'unit', unitId: COPIED },
    other: { role: 'unit', unitId: 'st-110102001' },
    noUnit: { role: 'unit' },
    app: { role: 'open311' },
  };
  const table = (order: Parameters<typeof contactAccess>[0]) =>
    Object.fromEntries(Object.entries(viewers).map(([name, viewer]) => [name, contactAccess(order, viewer)]));

  it('follows the rule for a complaint being handled', () => {
    expect(table(orderIn('accepted'))).toEqual({
      operator: 'clear',
      dispatcher: 'clear',
      supervisor: 'clear',
      auditor: 'masked',
      lead: 'clear',
      co: 'masked',
      copied: 'masked',
      other: 'hidden',
      noUnit: 'hidden',
      app: 'hidden',
    });
  });

  it('gives no unit anything of a 举报, and the lead only masked once the order is closed', () => {
    const report = table({ ...orderIn('accepted'), appealType: 'report' });
    expect([report.lead, report.co, report.copied, report.operator]).toEqual([
      'hidden',
      'hidden',
      'hidden',
      'clear',
    ]);
    expect(table(orderIn('closed')).lead).toBe('masked');
  });

  it('gives nobody anything when there is no contact', () => {
    const { contact: _c, ...requester } = orderIn('accepted').requester;
    expect(new Set(Object.values(table({ ...orderIn('accepted'), requester })))).toEqual(new Set(['hidden']));
  });
});
