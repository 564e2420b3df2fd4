import { errorResponses } from './errorResponses.js';
import { AppError, StreamGrant, sfuThumbnailPath, TableId, TableList } from '@live-casino/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { timingSafeEqual } from 'node:crypto';
import type { ServiceConfig } from '../config.js';
import { currentSession } from '../auth/authPlugin.js';
import { assertUnreachable } from '../games/GameTypes.js';
import type { StreamTokenIssuer } from '../StreamTokenIssuer.js';
import { tableRulesOf } from '../rounds/tableRules.js';
import type { LobbyView } from '../lobby/LobbyView.js';

export interface TableRoutesOptions {
  config: ServiceConfig;
  issuer: StreamTokenIssuer;
  lobby: LobbyView;
}

export const tableRoutes: FastifyPluginAsyncTypebox<TableRoutesOptions> = async (app, { config, issuer, lobby }) => {
  const byId = new Map(config.tables.map((t) => [t.tableId, t]));

  app.get(
    '/v1/tables',
    {
      schema: {
        tags: ['lobby'],
        summary: 'Tables of the lobby with their live state',
        response: { 200: TableList },
      },
    },
    async () => {
      const states = await lobby.tables(config.tables.map((t) => t.tableId));
      const sfu = config.SFU_PUBLIC_URL.replace(/\/+$/, '');
      return config.tables.map((t) => {
        const rules = tableRulesOf(t, config.CURRENCY);
        const state = states.get(t.tableId);
        const live = state?.live ?? false;
        return {
          tableId: t.tableId,
          name: t.name,
          game: t.game,
          live,
          viewers: state?.viewers ?? 0,
          round: state?.round ?? null,
          ...(live ? { thumbnailUrl: `${sfu}${sfuThumbnailPath(t.tableId)}` } : {}),
          currency: rules.currency,
          limits: rules.limits,
          maxPlayerStakePerRound: rules.maxPlayerStakePerRound,
          bettingWindowS: (rules.bettingWindowMs ?? 15_000) / 1000,
          visionCheck: rules.visionCheck ?? false,
        };
      });
    },
  );

  app.post(
    '/v1/stream-grants',
    {
      schema: {
        tags: ['media'],
        summary:
          'A short-lived token to watch a table (signed-in players and staff: the token names the player), publish it (studio devices) or take its RTP egress (service sessions: the vision worker), with where to find its media',
        body: Type.Object(
          {
            tableId: TableId,
            role: Type.Optional(Type.Union([Type.Literal('view'), Type.Literal('publish'), Type.Literal('egress')])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: StreamGrant,
          400: errorResponses[400],
          401: errorResponses[401],
          403: errorResponses[403],
          404: errorResponses[404],
        },
      },
    },
    async (request) => {
      const { tableId, role = 'view' } = request.body;
      if (!byId.has(tableId)) throw new AppError('TABLE_NOT_FOUND', `no table ${tableId}`);
      let sub: string;
      if (role === 'view') {
        // Watching is for people the casino knows: the sfu holds the stream to this subject (one
        // socket, capped sockets and transports per player) and measures this player's delay, which
        // is what their late bets are judged by. No session, no video (401).
        const session = currentSession(request);
        if (session.role === 'dealer' && session.tableId !== tableId) {
          throw new AppError('AUTH_WRONG_TABLE', `a dealer of ${session.tableId} watches that table only`);
        }
        // A player's subject is their id (what bets carry); staff are kept apart by their role.
        sub = session.role === 'player' ? session.userId : `${session.role}:${session.userId}`;
      } else if (role === 'publish') {
        const presented = (request.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!secretMatches(presented, config.STUDIO_SERVICE_SECRET)) {
          throw new AppError('AUTH_TOKEN_INVALID', 'publishing needs studio service credentials');
        }
        sub = `studio:${tableId}`;
      } else if (role === 'egress') {
        // Raw table video for machines only: a service session (401 without one, 403 for others).
        const session = currentSession(request);
        if (session.role !== 'service') {
          throw new AppError('AUTH_FORBIDDEN_ROLE', `an egress grant needs a service session, not ${session.role}`);
        }
        sub = `service:${session.userId}`;
      } else {
        return assertUnreachable(role);
      }
      const { token, expiresAt } = await issuer.issue({ sub, tableId, role });
      return {
        tableId,
        token,
        expiresAt,
        sfuUrl: config.SFU_PUBLIC_URL,
        // The playlist needs the token; the sfu puts a session of its own on every segment URI.
        hlsUrl: `${config.SFU_PUBLIC_URL}/hls/${tableId}/index.m3u8?t=${encodeURIComponent(token)}`,
      };
    },
  );
};

function secretMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
