import * as protocol from '@live-casino/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

/**
 * The wire contract is protocol's: every answer of every public route (and so every response in
 * the OpenAPI document at /docs, generated from the same route schemas) is a schema protocol
 * exports, not one written again in a route file.
 */
describe('table-service answers with protocol schemas', () => {
  let pg: TestPostgres;
  let service: TestService;
  beforeAll(async () => {
    pg = await startTestPostgres();
    service = await startTestService(pg, { staff: [], demoPlayers: 0 });
  });
  afterAll(async () => {
    await service?.svc.close();
    await pg?.close();
  });

  it('every route declares its answers, each one of protocol’s exported schemas', () => {
    const exported = new Set<unknown>(Object.values(protocol));
    const routes = service.svc.routeSchemas.filter((r) => r.url.startsWith('/v1/'));
    expect(routes.length).toBeGreaterThan(20);
    const strays: string[] = [];
    for (const route of routes) {
      if (!route.response) {
        strays.push(`${route.method} ${route.url}: no response schema`);
        continue;
      }
      for (const [status, schema] of Object.entries(route.response)) {
        if (!exported.has(schema)) strays.push(`${route.method} ${route.url} ${status}`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('the OpenAPI document has every route', () => {
    const spec = service.svc.app.swagger() as { paths: Record<string, unknown> };
    const paths = new Set(Object.keys(spec.paths));
    for (const route of service.svc.routeSchemas.filter((r) => r.url.startsWith('/v1/'))) {
      expect(paths.has(route.url.replace(/:(\w+)/g, '{$1}')), route.url).toBe(true);
    }
  });
});
