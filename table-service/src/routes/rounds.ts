import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  BetDto,
  BetHistoryPage,
  BetList,
  CurrentRound,
  NoContent,
  RebetAnswer,
  RoundDetail,
  ClientBetId,
  ErrorBodySchema,
  RoundDto,
  RoundId,
  StudioMs,
  TableId,
  TableRequests,
  TableResults,
} from '@live-casino/protocol';
import { Type } from '@sinclair/typebox';
import { errorResponses } from './errorResponses.js';
import { currentSession, requireRole, requireTableAccess } from '../auth/authPlugin.js';
import type { BetHistory } from '../bets/BetHistory.js';
import type { BetIntake } from '../bets/BetIntake.js';
import type { Rounds } from '../rounds/Rounds.js';
import type { TableRules } from '../rounds/RoundTypes.js';

const errors = errorResponses;
/** Kept under its old name for the routes' readers: the round as protocol defines it. */
export const RoundBody = RoundDto;

/** A result as the dealer (or pit boss) enters it: roulette { pocket }, baccarat { cards } in dealing order. */
const ResultInput = Type.Union([
  Type.Object({ pocket: Type.Integer({ minimum: 0, maximum: 36 }) }, { additionalProperties: false }),
  Type.Object(
    {
      cards: Type.Array(
        Type.Object(
          { rank: Type.String({ maxLength: 2 }), suit: Type.String({ maxLength: 10 }) },
          { additionalProperties: false },
        ),
        { minItems: 4, maxItems: 6 },
      ),
    },
    { additionalProperties: false },
  ),
]);

const BetBody = BetDto;

export interface RoundRoutesOptions {
  rounds: Rounds;
  intake: BetIntake;
  tables: ReadonlyMap<string, TableRules>;
  /** Reads past bets for GET /v1/rounds/:roundId. */
  history: BetHistory;
}

/**
 * Dealer and pit-boss control of rounds, and player bets. Dealers act on their own table only;
 * pit bosses on any; a round id names its table, checked against the session on every call.
 */
export const roundRoutes: FastifyPluginAsyncTypebox<RoundRoutesOptions> = async (
  app,
  { rounds, intake, tables, history },
) => {
  const tableOf = (tableId: string): TableRules => {
    const table = tables.get(tableId);
    if (!table) throw new AppError('TABLE_NOT_FOUND', `no table ${tableId}`);
    return table;
  };
  /** Loads a round and checks the session may run its table. */
  const roundFor = async (roundId: string, session: ReturnType<typeof currentSession>): Promise<RoundDto> => {
    const round = await rounds.get(roundId);
    if (session.role === 'dealer' && session.tableId !== round.tableId) {
      throw new AppError('AUTH_WRONG_TABLE', `dealer ${session.userId} runs ${session.tableId ?? 'no table'}`);
    }
    return round;
  };
  const staff = requireRole('dealer', 'pitboss', 'service');

  app.get(
    '/v1/tables/:tableId/round',
    {
      schema: {
        tags: ['rounds'],
        summary: 'The round in play at a table (null between rounds)',
        params: Type.Object({ tableId: TableId }),
        response: { 200: CurrentRound, ...errors },
      },
    },
    async (request) => {
      tableOf(request.params.tableId);
      return { round: (await rounds.current(request.params.tableId)) ?? null };
    },
  );

  app.get(
    '/v1/rounds/:roundId',
    {
      preHandler: [requireRole('player', 'dealer', 'pitboss', 'service')],
      schema: {
        tags: ['rounds'],
        summary:
          "Any round, finished or not: its state, times and result; for a player, their own bets of it with status and payout (never anyone else's); for staff, the round's bet totals",
        params: Type.Object({ roundId: RoundId }),
        response: { 200: RoundDetail, ...errors },
      },
    },
    async (request) => {
      const session = currentSession(request);
      if (session.role === 'player') {
        const round = await rounds.get(request.params.roundId);
        return { round, bets: await history.ofPlayer(round.roundId, session.userId) };
      }
      const round = await roundFor(request.params.roundId, session);
      return { round, totals: await history.totals(round.roundId) };
    },
  );

  app.post(
    '/v1/tables/:tableId/rounds',
    {
      preHandler: [requireTableAccess('tableId', { anyTable: ['pitboss', 'service'] })],
      schema: {
        tags: ['rounds'],
        summary: 'Open betting on a new round, at the studio time of the frame where it opened',
        params: Type.Object({ tableId: TableId }),
        body: Type.Object({ opensAtStudioMs: StudioMs }, { additionalProperties: false }),
        response: { 201: RoundBody, ...errors },
      },
    },
    async (request, reply) => {
      const round = await rounds.openBetting(tableOf(request.params.tableId), request.body.opensAtStudioMs);
      return reply.status(201).send(round);
    },
  );

  app.post(
    '/v1/rounds/:roundId/close',
    {
      preHandler: [staff],
      schema: {
        tags: ['rounds'],
        summary: 'Close betting at the studio time of the frame where it closed',
        params: Type.Object({ roundId: RoundId }),
        body: Type.Object({ closesAtStudioMs: StudioMs }, { additionalProperties: false }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => {
      const round = await roundFor(request.params.roundId, currentSession(request));
      return rounds.closeBetting(round.roundId, request.body.closesAtStudioMs, tableOf(round.tableId));
    },
  );

  app.post(
    '/v1/rounds/:roundId/reveal',
    {
      preHandler: [staff],
      schema: {
        tags: ['rounds'],
        summary:
          'The first event that shows anything of the outcome (the first card out of the shoe) happened on the frame at this studio time: late bets stop there',
        params: Type.Object({ roundId: RoundId }),
        body: Type.Object({ studioMs: StudioMs }, { additionalProperties: false }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => {
      const session = currentSession(request);
      const round = await roundFor(request.params.roundId, session);
      return rounds.reveal(round.roundId, request.body.studioMs, session.role, tableOf(round.tableId));
    },
  );

  app.post(
    '/v1/rounds/:roundId/result',
    {
      preHandler: [staff],
      schema: {
        tags: ['rounds'],
        summary:
          'Enter the result (roulette { pocket }, baccarat { cards } in dealing order), with the studio time of the frame where it happened; on a vision-checked table it waits for vision',
        params: Type.Object({ roundId: RoundId }),
        body: Type.Object({ result: ResultInput, studioMs: Type.Optional(StudioMs) }, { additionalProperties: false }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => {
      const session = currentSession(request);
      const round = await roundFor(request.params.roundId, session);
      return rounds.submitResult(
        round.roundId,
        request.body.result,
        session.role === 'service' ? 'vision' : 'dealer',
        request.body.studioMs ?? null,
      );
    },
  );

  app.post(
    '/v1/rounds/:roundId/confirm',
    {
      preHandler: [requireRole('dealer', 'pitboss')],
      schema: {
        tags: ['rounds'],
        summary:
          'Confirm the pending result (not on a vision-checked table: vision confirms, or the pit boss resolves)',
        params: Type.Object({ roundId: RoundId }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => {
      const session = currentSession(request);
      const round = await roundFor(request.params.roundId, session);
      return rounds.confirmResult(round.roundId, session.userId);
    },
  );

  app.post(
    '/v1/rounds/:roundId/settle',
    {
      preHandler: [staff],
      schema: {
        tags: ['rounds'],
        summary: 'Settle a confirmed round (exactly once; again is a no-op)',
        params: Type.Object({ roundId: RoundId }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => {
      const round = await roundFor(request.params.roundId, currentSession(request));
      return rounds.settle(round.roundId);
    },
  );

  app.post(
    '/v1/rounds/:roundId/void',
    {
      preHandler: [requireRole('pitboss')],
      schema: {
        tags: ['rounds'],
        summary: 'Void a round and refund every bet (pit boss)',
        params: Type.Object({ roundId: RoundId }),
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => rounds.void(request.params.roundId, request.body.reason, currentSession(request).userId),
  );

  app.post(
    '/v1/rounds/:roundId/resolve',
    {
      preHandler: [requireRole('pitboss')],
      schema: {
        tags: ['rounds'],
        summary:
          'Decide a pending result (a round held by the vision cross-check): it becomes the result and is confirmed; the round then settles as usual (pit boss)',
        params: Type.Object({ roundId: RoundId }),
        body: Type.Object({ result: ResultInput }, { additionalProperties: false }),
        response: { 200: RoundBody, ...errors },
      },
    },
    async (request) => rounds.resolve(request.params.roundId, request.body.result, currentSession(request).userId),
  );

  app.post(
    '/v1/bets',
    {
      preHandler: [requireRole('player')],
      schema: {
        tags: ['bets'],
        summary: 'Place a bet on the frame on screen; a retry with the same clientBetId returns the first answer',
        // The same request as the socket's placeBet.
        body: TableRequests.placeBet,
        response: { 201: BetBody, 402: ErrorBodySchema, ...errors },
      },
    },
    async (request, reply) => {
      const bet = await intake.place(currentSession(request).userId, request.body);
      return reply.status(201).send(bet);
    },
  );

  app.post(
    '/v1/bets/rebet',
    {
      preHandler: [requireRole('player')],
      schema: {
        tags: ['bets'],
        summary: "Repeat the player's bets of their last settled round at this table",
        body: Type.Object(
          {
            roundId: RoundId,
            clientBetIdPrefix: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_.-]+$' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: RebetAnswer, ...errors },
      },
    },
    async (request) =>
      intake.rebet(currentSession(request).userId, request.body.roundId, request.body.clientBetIdPrefix),
  );

  app.delete(
    '/v1/bets/:clientBetId',
    {
      preHandler: [requireRole('player')],
      schema: {
        tags: ['bets'],
        summary: 'Cancel a bet while betting is open',
        params: Type.Object({ clientBetId: ClientBetId }),
        response: { 200: BetBody, ...errors },
      },
    },
    async (request) => intake.cancel(currentSession(request).userId, request.params.clientBetId),
  );

  app.get(
    '/v1/bets/history',
    {
      preHandler: [requireRole('player')],
      schema: {
        tags: ['bets'],
        summary: "A page of the player's bets with what each returned, newest first; `before` (a betId) pages on",
        querystring: Type.Object(
          {
            before: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: BetHistoryPage, ...errors },
      },
    },
    async (request) =>
      intake.historyPage(currentSession(request).userId, {
        ...(request.query.before ? { before: request.query.before } : {}),
        limit: request.query.limit ?? 20,
      }),
  );

  app.get(
    '/v1/tables/:tableId/results',
    {
      schema: {
        tags: ['rounds'],
        summary: "The table's settled rounds and their results, newest first (for roads and statistics)",
        params: Type.Object({ tableId: TableId }),
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
          { additionalProperties: false },
        ),
        response: { 200: TableResults, ...errors },
      },
    },
    async (request) => {
      const table = tableOf(request.params.tableId);
      return { tableId: table.tableId, results: await rounds.recentResults(table.tableId, request.query.limit ?? 100) };
    },
  );

  app.get(
    '/v1/bets',
    {
      preHandler: [requireRole('player')],
      schema: {
        tags: ['bets'],
        summary: "The player's bets, newest first",
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: { 200: BetList, ...errors },
      },
    },
    async (request) => intake.history(currentSession(request).userId, request.query.limit ?? 50),
  );

  app.post(
    '/v1/me/playout-delay',
    {
      preHandler: [requireRole('player')],
      schema: {
        tags: ['bets'],
        summary: "Report the player's playout delay (studio time of the frame on screen vs their clock)",
        body: Type.Object(
          {
            mode: Type.Union([Type.Literal('webrtc'), Type.Literal('hls')]),
            playoutDelayMs: Type.Number({ minimum: 0, maximum: 60_000 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: NoContent, ...errors },
      },
    },
    async (request, reply) => {
      intake.reportDelay(currentSession(request).userId, request.body.mode, request.body.playoutDelayMs);
      return reply.status(204).send(null);
    },
  );
};
