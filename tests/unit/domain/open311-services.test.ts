import { describe, expect, it } from 'vitest';
import { open311Service, open311ServiceDefinition, open311Services } from '#domain/open311-services.ts';
import { appealTypes } from '#domain/order-input.ts';
import { referenceData } from '#shared/platform/reference.ts';

describe('open311Services', () => {
  const services = open311Services(referenceData);

  it('lists every leaf of the taxonomy once, and nothing else', () => {
    const leaves = referenceData.categories.filter(
      (c) => !referenceData.categories.some((d) => d.parentCode === c.code),
    );
    expect(services.map((s) => s.service_code)).toEqual(leaves.map((c) => c.code));
    expect(new Set(services.map((s) => s.service_code)).size).toBe(services.length);
  });

  it('describes a service by its place in the taxonomy', () => {
    expect(open311Service(referenceData, '010201')).toEqual({
      service_code: '010201',
      service_name: '流动摊贩',
      description: '城市管理 › 占道经营 › 流动摊贩',
      metadata: true,
      type: 'realtime',
      keywords: '城市管理, 占道经营',
      group: '城市管理',
    });
    expect(open311Service(referenceData, '0102')).toBeUndefined();
  });
});

describe('open311ServiceDefinition', () => {
  const definition = open311ServiceDefinition(referenceData, '010201');

  it('asks for the kind of appeal, with our six kinds, first and required', () => {
    const [first] = definition.attributes;
    expect(first).toMatchObject({
      code: 'appeal_type',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
    });
    expect(first?.values?.map((v) => v.key)).toEqual([...appealTypes]);
  });

  it('offers the 16 districts, and orders attributes 1, 2, 3 … without gaps', () => {
    const district = definition.attributes.find((a) => a.code === 'district');
    expect(district?.values).toHaveLength(16);
    expect(district?.values?.[0]).toEqual({ key: '110101', name: '东城区' });
    expect(definition.attributes.map((a) => a.order)).toEqual(definition.attributes.map((_, i) => i + 1));
    expect(
      definition.attributes
        .filter((a) => a.datatype.endsWith('list'))
        .every((a) => (a.values?.length ?? 0) > 0),
    ).toBe(true);
  });
});
