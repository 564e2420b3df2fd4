import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AlertList,
  AppError,
  RoundId,
  TableId,
  RoundReadings,
  VisionReadingAnswer,
  VisionReadingBody,
} from '@live-casino/protocol';
import { Type } from '@sinclair/typebox';
import { currentSession, requireRole } from '../auth/authPlugin.js';
import type { Database } from '../db/Database.js';
import { listAlerts } from '../rounds/Alerts.js';
import type { Rounds } from '../rounds/Rounds.js';
import type { TableRules } from '../rounds/RoundTypes.js';
import type { VisionReadings } from '../rounds/VisionReadings.js';
import { errorResponses } from './errorResponses.js';

const errors = errorResponses;

const ReadingAnswer = VisionReadingAnswer;

export interface VisionRoutesOptions {
  db: Database;
  rounds: Rounds;
  readings: VisionReadings;
  tables: ReadonlyMap<string, TableRules>;
}

/** Readings from the vision worker, the readings of a round for staff, and alerts for pit bosses. */
export const visionRoutes: FastifyPluginAsyncTypebox<VisionRoutesOptions> = async (
  app,
  { db, rounds, readings, tables },
) => {
  app.post(
    '/v1/tables/:tableId/readings',
    {
      onRequest: [requireRole('service')],
      schema: {
        tags: ['vision'],
        summary:
          'A vision reading (service): stored, attributed to the round waiting for its result, and cross-checked; a retry with the same readingId answers as the first',
        params: Type.Object({ tableId: TableId }),
        body: VisionReadingBody,
        response: { 200: ReadingAnswer, 201: ReadingAnswer, ...errors },
      },
    },
    async (request, reply) => {
      const table = tables.get(request.params.tableId);
      if (!table) throw new AppError('TABLE_NOT_FOUND', `no table ${request.params.tableId}`);
      const { reading, replayed, round } = await readings.ingest(table, request.body);
      return reply.status(replayed ? 200 : 201).send({ reading, round });
    },
  );

  app.get(
    '/v1/rounds/:roundId/readings',
    {
      onRequest: [requireRole('dealer', 'pitboss', 'service')],
      schema: {
        tags: ['vision'],
        summary: "A round's vision readings in studio time order (staff; a dealer for their own table)",
        params: Type.Object({ roundId: RoundId }),
        response: { 200: RoundReadings, ...errors },
      },
    },
    async (request) => {
      const session = currentSession(request);
      const round = await rounds.get(request.params.roundId);
      if (session.role === 'dealer' && session.tableId !== round.tableId) {
        throw new AppError('AUTH_WRONG_TABLE', `dealer ${session.userId} runs ${session.tableId ?? 'no table'}`);
      }
      return { roundId: round.roundId, readings: await readings.ofRound(round.roundId) };
    },
  );

  app.get(
    '/v1/alerts',
    {
      onRequest: [requireRole('pitboss')],
      schema: {
        tags: ['vision'],
        summary: 'Alerts for pit bosses (held rounds), newest first; open=true for the unresolved ones',
        querystring: Type.Object(
          {
            open: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: AlertList, ...errors },
      },
    },
    async (request) => listAlerts(db.pool, { open: request.query.open ?? false, limit: request.query.limit ?? 100 }),
  );
};
