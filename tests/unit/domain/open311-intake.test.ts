import { describe, expect, it } from 'vitest';
import districts from '#data/geo/beijing-districts.geo.json' with { type: 'json' };
import type { DistrictShape } from '#domain/district-of-point.ts';
import { open311Intake } from '#domain/open311-intake.ts';
import { referenceData } from '#shared/platform/reference.ts';

const ctx = {
  referenceData,
  districts: districts.features as readonly DistrictShape[],
  jurisdictionId: '12345.beijing.gov.cn',
};
const base = {
  service_code: '010201',
  lat: '39.9087',
  long: '116.3975',
  description: '小区门口流动摊贩占道经营，晚上噪声扰民。',
  'attribute[appeal_type]': 'complaint',
};
const intake = (fields: Record<string, string>, extra: [string, string][] = []) =>
  open311Intake(new URLSearchParams([...Object.entries(fields), ...extra]), ctx);
const codes = (fields: Record<string, string>) => {
  const result = intake(fields);
  if (result.ok) throw new Error('expected problems');
  return result.problems.map((p) => `${p.status} ${p.code}`);
};

describe('open311Intake', () => {
  it('turns a form with lat/long into our intake, the district from the point', () => {
    const result = intake({
      ...base,
      first_name: '三',
      last_name: '张',
      phone: '13800138000',
      email: 'z@example.cn',
    });
    expect(result).toEqual({
      ok: true,
      input: {
        appealType: 'complaint',
        categoryCode: '010201',
        description: base.description,
        channel: 'open311',
        urgency: 'normal',
        requester: {
          kind: 'person',
          name: '张三',
          phone: '13800138000',
          email: 'z@example.cn',
          anonymous: false,
          declinesCallback: false,
        },
        location: { districtCode: '110101', lat: 39.9087, long: 116.3975 },
      },
    });
  });

  it('takes an address_string with the district and street as attributes, and the other attributes', () => {
    const result = intake({
      service_code: '010201',
      address_string: '东华门街道南池子大街12号',
      description: '占道经营',
      'attribute[appeal_type]': 'report',
      'attribute[district]': '110101',
      'attribute[street]': '110101001',
      'attribute[requester_kind]': 'enterprise',
      'attribute[credit_code]': '91110000802100433B',
      'attribute[declines_callback]': 'true',
      first_name: 'Anna',
      last_name: 'Li',
      media_url: 'https://example.cn/photo.jpg',
    });
    expect(result.ok && result.input).toMatchObject({
      appealType: 'report',
      requester: {
        kind: 'enterprise',
        name: 'Anna Li',
        creditCode: '91110000802100433B',
        declinesCallback: true,
        anonymous: false,
      },
      location: { districtCode: '110101', streetCode: '110101001', address: '东华门街道南池子大街12号' },
      mediaUrl: 'https://example.cn/photo.jpg',
    });
  });

  it('files a requester who gives nothing of themselves as anonymous, and keeps no account or device id', () => {
    const result = intake({
      ...base,
      account_id: 'acct-1',
      device_id: 'dev-9',
      jurisdiction_id: '12345.beijing.gov.cn',
    });
    expect(result.ok && result.input.requester).toEqual({
      kind: 'person',
      anonymous: true,
      declinesCallback: false,
    });
    expect(JSON.stringify(result)).not.toMatch(/acct-1|dev-9/);
  });

  it('treats empty fields as absent, as the spec says', () => {
    const result = intake({ ...base, email: '', phone: ' ', address_string: '', 'attribute[street]': '' });
    expect(result.ok && result.input.requester.anonymous).toBe(true);
  });

  it('answers 404 for an unknown service or jurisdiction, and a non-leaf category is no service', () => {
    expect(codes({ ...base, service_code: '999999' })).toEqual(['404 SERVICE_CODE_NOT_FOUND']);
    expect(codes({ ...base, service_code: '01' })).toEqual(['404 SERVICE_CODE_NOT_FOUND']);
    expect(codes({ ...base, jurisdiction_id: 'sfgov.org' })).toEqual(['404 JURISDICTION_NOT_FOUND']);
  });

  it('reports every missing field at once', () => {
    expect(codes({})).toEqual([
      '400 SERVICE_CODE_REQUIRED',
      '400 LOCATION_REQUIRED',
      '400 APPEAL_TYPE_REQUIRED',
      '400 DESCRIPTION_REQUIRED',
    ]);
  });

  it('refuses a location it cannot place', () => {
    const { lat: _lat, long: _long, ...noPoint } = base;
    expect(codes({ ...noPoint, address_id: 'A-77' })).toEqual(['400 ADDRESS_ID_NOT_SUPPORTED']);
    expect(codes({ ...noPoint, lat: '39.9' })).toEqual(['400 LAT_LONG_TOGETHER']);
    expect(codes({ ...base, lat: 'north' })).toEqual(['400 INVALID_LAT_LONG']);
    // Shanghai: no district holds it
    expect(codes({ ...base, lat: '31.2304', long: '121.4737' })).toEqual(['400 DISTRICT_REQUIRED']);
    expect(codes({ ...noPoint, address_string: '某处' })).toEqual(['400 DISTRICT_REQUIRED']);
  });

  it('refuses attributes the service does not define', () => {
    expect(codes({ ...base, 'attribute[WHISPAWN]': '123456' })).toEqual(['400 UNKNOWN_ATTRIBUTE']);
  });

  it("names the form's field in a value our schema refuses", () => {
    const result = intake({
      ...base,
      phone: 'call me',
      'attribute[appeal_type]': 'rant',
      media_url: 'ftp://x.cn/a',
    });
    expect(result.ok).toBe(false);
    const descriptions = result.ok
      ? []
      : result.problems.map((p) => `${p.code} ${p.description.split(':')[0]}`);
    expect(descriptions.sort()).toEqual([
      'INVALID_FIELD attribute[appeal_type]',
      'INVALID_FIELD media_url',
      'INVALID_FIELD phone',
    ]);
  });

  it('takes the last value of a repeated field and of a list attribute', () => {
    const result = intake(base, [
      ['attribute[appeal_type][]', 'help'],
      ['description', '第二遍描述'],
    ]);
    expect(result.ok && [result.input.appealType, result.input.description]).toEqual(['help', '第二遍描述']);
  });
});
