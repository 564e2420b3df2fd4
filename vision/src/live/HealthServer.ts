import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VisionWorker } from './VisionWorker.js';

/**
 * GET /health: the worker's state as JSON (models, feeds, readings, inference times), 200 when
 * every table is being read, 503 otherwise (with the same body: what is wrong). GET /metrics:
 * Prometheus text.
 */
export class HealthServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async listen(worker: VisionWorker, host: string, port: number): Promise<HealthServer> {
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
        res.end(JSON.stringify({ code: 'METHOD_NOT_ALLOWED', message: 'GET only' }));
        return;
      }
      if (url === '/health') {
        const health = worker.serialize();
        res.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(health));
        return;
      }
      if (url === '/metrics') {
        worker.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': worker.metricsContentType });
            res.end(text);
          },
          () => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ code: 'INTERNAL', message: 'internal error' }));
          },
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'NOT_FOUND', message: `no route ${url}` }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HealthServer(server);
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo;
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
