import { AppError, toErrorBody } from '@live-casino/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The one error handler: typed AppErrors as `{ code, message }` with their status, validation
 * failures as BAD_REQUEST, and nothing of an unexpected error leaks (500 INTERNAL, logged).
 */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AppError) {
    if (err.retryAfterS !== undefined) reply.header('retry-after', String(err.retryAfterS));
    return reply.status(err.status).send(err.toBody());
  }
  if (err.validation) return reply.status(400).send({ code: 'BAD_REQUEST', message: err.message });
  if (err.statusCode === 413) return reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: 'body too large' });
  if (err.statusCode === 429) return reply.status(429).send({ code: 'RATE_LIMITED', message: err.message });
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return reply.status(400).send({ code: 'BAD_REQUEST', message: err.message });
  }
  request.log.error({ err }, 'request failed');
  return reply.status(500).send(toErrorBody(err));
}

/** Unknown routes answer with a code like every other error, not fastify's default body. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .status(404)
    .send({ code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
}

/** What setErrorHandling needs of a fastify instance, whatever its type provider and logger. */
export interface ErrorHandlingTarget {
  setErrorHandler(handler: typeof errorHandler): unknown;
  setNotFoundHandler(handler: typeof notFoundHandler): unknown;
}

/** Both handlers on one listener (and its plugins that do not set their own). */
export function setErrorHandling(app: ErrorHandlingTarget): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
}
