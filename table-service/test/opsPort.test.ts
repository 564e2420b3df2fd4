import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { httpJson } from './helpers/http.js';
import { startTestService, type TestService } from './helpers/service.js';

describe('operators’ endpoints on their own listener', () => {
  let server: TestPostgres;
  let service: TestService;
  let opsUrl: string;

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, { staff: [], demoPlayers: 0, env: { OPS_PORT: '0' } });
    opsUrl = await service.svc.listenOps();
  });
  afterAll(async () => {
    await service?.svc.close();
    await server?.close();
  });

  it('listens on loopback by default, on a port of its own', () => {
    const config = loadConfig({
      STREAM_TOKEN_PRIVATE_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      STUDIO_SERVICE_SECRET: 'x'.repeat(32),
    });
    expect(config.OPS_HOST).toBe('127.0.0.1');
    expect(config.OPS_PORT).toBe(8081);
    expect(config.OPS_PORT).not.toBe(config.PORT);
    expect(new URL(opsUrl).hostname).toBe('127.0.0.1');
    expect(new URL(opsUrl).port).not.toBe(new URL(service.url).port);
    expect(service.svc.opsUrl).toBe(opsUrl);
  });

  it('/metrics and /v1/cluster answer on the ops listener only', async () => {
    for (const path of ['/metrics', '/v1/cluster']) {
      const pub = await fetch(`${service.url}${path}`);
      expect(pub.status, path).toBe(404);
      expect(await pub.json(), path).toEqual({ code: 'ROUTE_NOT_FOUND', message: `no route GET ${path}` });
    }
    const metrics = await fetch(`${opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('table_leases_owned');
    const cluster = await httpJson(opsUrl, 'GET', '/v1/cluster');
    expect(cluster.status).toBe(200);
    expect(cluster.body).toMatchObject({ nodeId: service.svc.leases.nodeId, store: 'local' });
    // The public port keeps what load balancers need.
    expect((await httpJson(service.url, 'GET', '/health')).status).toBe(200);
    expect((await httpJson(opsUrl, 'GET', '/health')).status).toBe(200);
    // And the ops listener serves nothing of the public API.
    expect((await httpJson(opsUrl, 'GET', '/v1/tables')).status).toBe(404);
    const spec = await httpJson(service.url, 'GET', '/docs/json');
    expect(Object.keys(spec.body.paths)).not.toContain('/v1/cluster');
  });
});
