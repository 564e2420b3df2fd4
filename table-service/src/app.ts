import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError, toErrorBody } from '@live-casino/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServiceConfig } from './config.js';
import { tableRoutes } from './routes/tables.js';
import { StreamTokenIssuer } from './StreamTokenIssuer.js';

export interface AppOptions {
  config: ServiceConfig;
  log: Logger;
  /** Which tables have live video; defaults to asking the sfu. */
  liveTables?: () => Promise<ReadonlySet<string>>;
}

export async function buildApp({ config, log, liveTables }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: log, bodyLimit: 16 * 1024 }).withTypeProvider<TypeBoxTypeProvider>();
  const issuer = await StreamTokenIssuer.create(config.STREAM_TOKEN_PRIVATE_KEY, config.STREAM_TOKEN_TTL_S);

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send(err.toBody());
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message: string };
    if (e.validation) return reply.status(400).send({ code: 'BAD_REQUEST', message: e.message });
    if (e.statusCode === 413) return reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: 'body too large' });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.status(400).send({ code: 'BAD_REQUEST', message: e.message });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(toErrorBody(err));
  });

  await app.register(fastifySwagger, {
    openapi: { info: { title: 'live-casino table-service', version: '0.1.0' } },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
  await app.register(tableRoutes, {
    config,
    issuer,
    liveTables: liveTables ?? (() => sfuLiveTables(config.SFU_INTERNAL_URL)),
  });

  if (config.PLAYER_WEB_DIR && existsSync(config.PLAYER_WEB_DIR)) {
    await app.register(fastifyStatic, { root: path.resolve(config.PLAYER_WEB_DIR), prefix: '/' });
  }
  return app as unknown as FastifyInstance;
}

/** Tables whose video the sfu is receiving; empty (all offline) when the sfu does not answer. */
async function sfuLiveTables(sfuUrl: string): Promise<ReadonlySet<string>> {
  try {
    const res = await fetch(`${sfuUrl}/stats`, { signal: AbortSignal.timeout(1000) });
    if (!res.ok) return new Set();
    const stats = (await res.json()) as { tables?: { tableId: string; producers: unknown[] }[] };
    return new Set((stats.tables ?? []).filter((t) => t.producers.length > 0).map((t) => t.tableId));
  } catch {
    return new Set();
  }
}
