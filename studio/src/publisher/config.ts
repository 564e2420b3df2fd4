import { GameKind } from '@live-casino/protocol';
import { ConfigError, configErrorMessage, readEnv, readSecretSetting } from '@live-casino/server-kit';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const SimulatedTables = Type.Array(Type.Object({ tableId: Type.String(), name: Type.String(), game: GameKind }), {
  minItems: 1,
});

/** The studio simulator's environment (studio/.env.example is generated from it: npm run env:example). */
export const SimulatorEnvSchema = Type.Object({
  TABLE_SERVICE_URL: Type.String({ description: 'table-service (publish grants).', default: 'http://127.0.0.1:8080' }),
  STUDIO_SERVICE_SECRET: Type.String({
    description: "table-service's STUDIO_SERVICE_SECRET, or an absolute path to a file holding it (required).",
    minLength: 1,
    examples: ['/path/to/.data/keys/studio-service.secret'],
  }),
  TABLES: Type.String({
    description: 'The tables to simulate (required): JSON [{ "tableId", "name", "game": "roulette" | "baccarat" }].',
    minLength: 1,
    examples: ['[{"tableId":"roulette-1","name":"Roulette 1","game":"roulette"}]'],
  }),
  SIMULATED_DEALER_PASSWORD: Type.Optional(
    Type.String({ description: 'When set, each table also runs its rounds, as dealer-<tableId>.', minLength: 1 }),
  ),
  SIMULATOR_DECK: Type.Optional(
    Type.String({
      description:
        "Card artwork of the baccarat tables: a deck name (svg-standard, the default when Debian's kdegames-card-data-kf5 is installed) or painted.",
    }),
  ),
});

export interface SimulatorConfig {
  tableServiceUrl: string;
  studioSecret: string;
  tables: Static<typeof SimulatedTables>;
  dealerPassword: string | undefined;
  deck: string | undefined;
}

/** Every bad or missing setting named in one ConfigError. */
export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  const { config: c, problems } = readEnv(SimulatorEnvSchema, env);
  let tables: unknown = [];
  if (c.TABLES) {
    try {
      tables = JSON.parse(c.TABLES);
      if (!Value.Check(SimulatedTables, tables))
        problems.push('TABLES: must be a non-empty array of { tableId, name, game }');
    } catch {
      problems.push('TABLES: not JSON');
    }
  }
  const studioSecret = c.STUDIO_SERVICE_SECRET
    ? readSecretSetting(c.STUDIO_SERVICE_SECRET, 'STUDIO_SERVICE_SECRET', problems)
    : '';
  if (problems.length > 0) throw new ConfigError(configErrorMessage('studio simulator', problems));
  return {
    tableServiceUrl: c.TABLE_SERVICE_URL,
    studioSecret,
    tables: tables as Static<typeof SimulatedTables>,
    dealerPassword: c.SIMULATED_DEALER_PASSWORD,
    deck: c.SIMULATOR_DECK,
  };
}
