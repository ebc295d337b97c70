import { describe, expect, it } from 'vitest';
import { httpRoutes } from '#wiring/wiring.ts';
import { localRoutes, matchRoute } from '../../../local/api-gateway.ts';

/** A concrete request path for a route: every `{param}` replaced by a sample value. */
const concrete = (path: string): string => path.replace(/\{[^}]+\}/g, 'WO01KBAAAAAAAAAAAAAAAAAAAAAA');

describe('localRoutes', () => {
  it('returns one compiled route per route of wiring/wiring.ts, in the same order', () => {
    // Assess
    expect(localRoutes.map((r) => r.spec)).toEqual(httpRoutes);
  });
});

describe('matchRoute', () => {
  it('returns no route for a path with a broken %-escape, instead of throwing', () => {
    // Act / Assess
    expect(matchRoute('GET', '/orders/%E0%A4%A')).toBeUndefined();
  });

  for (const spec of httpRoutes) {
    it(`returns ${spec.method} ${spec.path} for a request to it`, () => {
      // Prepare
      const path = concrete(spec.path);

      // Act
      const matched = matchRoute(spec.method, path);

      // Assess
      expect(matched?.route.spec).toBe(spec);
      const expectedParams = Object.fromEntries(
        [...spec.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name, 'WO01KBAAAAAAAAAAAAAAAAAAAAAA']),
      );
      expect(matched?.pathParameters).toEqual(expectedParams);
    });
  }

  it('returns the reply route, not the order route, for /orders/{id}/reply', () => {
    // Act
    const matched = matchRoute('POST', '/orders/WO-1/reply');

    // Assess
    expect(matched?.route.spec).toMatchObject({ path: '/orders/{id}/reply', function: 'orderActions' });
    expect(matched?.pathParameters).toEqual({ id: 'WO-1' });
  });

  it('returns the GET or the POST route of /orders by method', () => {
    // Assess
    expect(matchRoute('GET', '/orders')?.route.spec.function).toBe('listOrders');
    expect(matchRoute('POST', '/orders')?.route.spec.function).toBe('createOrder');
  });

  it('returns path parameters percent-decoded', () => {
    // Act
    const spaced = matchRoute('GET', '/orders/WO%2001');
    const chinese = matchRoute('GET', '/orders/%E5%B7%A5%E5%8D%95');

    // Assess
    expect(spaced?.pathParameters).toEqual({ id: 'WO 01' });
    expect(chinese?.pathParameters).toEqual({ id: '工单' });
  });

  it('returns undefined for a known path with a wrong method', () => {
    // Assess
    expect(matchRoute('DELETE', '/orders')).toBeUndefined();
    expect(matchRoute('POST', '/health')).toBeUndefined();
    expect(matchRoute('GET', '/orders/WO-1/reply')).toBeUndefined();
    expect(matchRoute('PUT', '/orders/WO-1')).toBeUndefined();
    expect(matchRoute('post', '/orders')).toBeUndefined();
  });

  it('returns undefined for unknown paths, extra segments and empty parameters', () => {
    // Assess
    expect(matchRoute('GET', '/nope')).toBeUndefined();
    expect(matchRoute('GET', '/orders/WO-1/events/extra')).toBeUndefined();
    expect(matchRoute('POST', '/orders/WO-1/close')).toBeUndefined();
    expect(matchRoute('POST', '/orders//reply')).toBeUndefined();
    expect(matchRoute('GET', '/healthz')).toBeUndefined();
    expect(matchRoute('GET', '/api/health')).toBeUndefined();
  });
});
