import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { TableLeases } from './TableLeases.js';

const ClusterBody = Type.Object({
  nodeId: Type.String(),
  store: Type.Union([Type.Literal('redis'), Type.Literal('local')]),
  leaseMs: Type.Integer(),
  owned: Type.Array(Type.String()),
  tables: Type.Array(
    Type.Object({
      tableId: Type.String(),
      state: Type.Union([Type.Literal('standby'), Type.Literal('recovering'), Type.Literal('owned')]),
      ownerNodeId: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

/** Which node owns which table, for dashboards and load balancers. */
export const clusterRoutes: FastifyPluginAsyncTypebox<{ leases: TableLeases }> = async (app, { leases }) => {
  app.get(
    '/v1/cluster',
    {
      schema: {
        tags: ['cluster'],
        summary: 'This node, the tables it owns, and every table lease holder',
        response: { 200: ClusterBody },
      },
    },
    async () => leases.serialize(),
  );
};
