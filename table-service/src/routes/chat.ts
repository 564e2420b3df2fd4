import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  ChatHistory,
  ChatMute,
  ChatMuteBody,
  ChatMuteList,
  type ChatMute as ChatMuteValue,
  type ChatUnmute,
  NoContent,
  TableId,
} from '@live-casino/protocol';
import { Type } from '@sinclair/typebox';
import { currentSession, requireRole, requireTableAccess } from '../auth/authPlugin.js';
import type { Chat } from '../chat/Chat.js';
import { errorResponses } from './errorResponses.js';

export interface ChatRoutesOptions {
  chat: Chat;
  /** A pit boss muted a player: their sockets hear it (Realtime). */
  onMuted: (mute: ChatMuteValue) => void;
  /** A pit boss lifted a player's mute: their sockets hear it. */
  onUnmuted: (unmute: ChatUnmute) => void;
}

const PlayerIdParam = ChatMuteBody.properties.playerId;

/** A table's chat history, and the pit boss's mutes. Messages are sent over the socket (`sendChat`). */
export const chatRoutes: FastifyPluginAsyncTypebox<ChatRoutesOptions> = async (app, { chat, onMuted, onUnmuted }) => {
  app.get(
    '/v1/tables/:tableId/chat',
    {
      onRequest: [requireRole('player', 'dealer', 'pitboss')],
      schema: {
        tags: ['chat'],
        summary: "A page of the table's chat, oldest first; `before` (a messageId) pages back",
        params: Type.Object({ tableId: TableId }),
        querystring: Type.Object(
          {
            before: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,18}$' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ChatHistory, ...errorResponses },
      },
    },
    async (request) => {
      const session = currentSession(request);
      if (session.role === 'dealer' && session.tableId !== request.params.tableId) {
        throw new AppError('AUTH_WRONG_TABLE', `dealer ${session.userId} runs ${session.tableId ?? 'no table'}`);
      }
      return chat.history(request.params.tableId, {
        ...(request.query.before ? { before: request.query.before } : {}),
        limit: request.query.limit ?? 50,
        ...(session.role === 'player' ? { readerId: session.userId } : {}),
      });
    },
  );

  app.get(
    '/v1/tables/:tableId/chat/mutes',
    {
      onRequest: [requireTableAccess()],
      schema: {
        tags: ['chat'],
        summary: "The table's active mutes (pit bosses; the table's dealer)",
        params: Type.Object({ tableId: TableId }),
        response: { 200: ChatMuteList, ...errorResponses },
      },
    },
    async (request) => ({ tableId: request.params.tableId, mutes: await chat.mutes(request.params.tableId) }),
  );

  app.post(
    '/v1/tables/:tableId/chat/mutes',
    {
      onRequest: [requireRole('pitboss')],
      schema: {
        tags: ['chat'],
        summary:
          'Mutes a player at the table for some minutes, with a reason (pit bosses); replaces their current mute',
        params: Type.Object({ tableId: TableId }),
        body: ChatMuteBody,
        response: { 201: ChatMute, ...errorResponses },
      },
    },
    async (request, reply) => {
      const mute = await chat.mute(request.params.tableId, request.body, currentSession(request).userId);
      onMuted(mute);
      return reply.status(201).send(mute);
    },
  );

  app.delete(
    '/v1/tables/:tableId/chat/mutes/:playerId',
    {
      onRequest: [requireRole('pitboss')],
      schema: {
        tags: ['chat'],
        summary: "Lifts a player's mute at the table (pit bosses); done also when there was none",
        params: Type.Object({ tableId: TableId, playerId: PlayerIdParam }),
        response: { 204: NoContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { tableId, playerId } = request.params;
      // Idempotent: lifting a mute that is not there (any more) is done.
      const lifted = await chat.unmute(tableId, playerId, currentSession(request).userId);
      if (lifted) onUnmuted(lifted);
      return reply.status(204).send(null);
    },
  );
};
