/**
 * The studio simulator process of the embedded default: one rendered feed per configured table,
 * each kept published into the sfu. Stands in for the studio's cameras and encoders.
 */
import { randomInt } from 'node:crypto';
import { createLogger, loadConfigOrExit, onShutdownSignal } from '@live-casino/server-kit';
import { createSimulatedScene, seedFromString, TableFeed } from '../simulator/index.js';
import { SimulatedDealer } from './SimulatedDealer.js';
import { chooseSimulatorDeck, loadSimulatorCardArt, SimulatorConfigError } from './SimulatorDeck.js';
import { StudioPublisher } from './StudioPublisher.js';
import { loadSimulatorConfig } from './config.js';

function fail(message: string): never {
  console.error(`studio simulator: ${message}`);
  process.exit(1);
}

const config = loadConfigOrExit(() => loadSimulatorConfig());
const { tableServiceUrl, studioSecret, tables } = config;

// Always at info, whatever LOG_LEVEL the platform gives the services: the 'table scene' lines are
// the record a table's truth is replayed from (vision's acceptance test reads them).
const logger = createLogger({ service: 'studio-simulator', level: 'info' });
const log = (msg: string, extra?: Record<string, unknown>): void => logger.info(extra ?? {}, msg);

let deckChoice: ReturnType<typeof chooseSimulatorDeck>;
try {
  deckChoice = chooseSimulatorDeck(config.deck);
} catch (err) {
  if (err instanceof SimulatorConfigError) fail(err.message);
  throw err;
}
if (deckChoice.kind === 'painted' && deckChoice.reason === 'not-installed') {
  log(
    'card deck artwork not installed: baccarat tables show painted cards (apt-get install -y kdegames-card-data-kf5)',
  );
}
const cardArt = tables.some((t) => t.game === 'baccarat') ? await loadSimulatorCardArt(deckChoice) : undefined;

// With a dealer password, each simulated table also runs its rounds (as dealer-<tableId>).
const dealerPassword = config.dealerPassword;
const running: { feed: TableFeed; publisher: StudioPublisher; dealer?: SimulatedDealer }[] = [];
for (const table of tables) {
  const epochMs = Date.now();
  const seed = seedFromString(table.tableId);
  const scene = createSimulatedScene(table.game, {
    tableName: table.name,
    seed,
    epochMs,
    ...(cardArt ? { cardArt } : {}),
  });
  // What makes the scene reproducible: anyone with these can replay the table's truth.
  log('table scene', { tableId: table.tableId, game: table.game, seed, epochMs });
  // Discard port until the sfu answers where to send.
  const feed = await TableFeed.create({
    tableId: table.tableId,
    scene,
    target: { host: '127.0.0.1', port: 9 },
    ssrc: randomInt(1, 2 ** 31),
  });
  const publisher = await StudioPublisher.create({
    tableId: table.tableId,
    source: 'camera-1',
    tableServiceUrl,
    studioSecret,
    feed,
    log,
  });
  let dealer: SimulatedDealer | undefined;
  if (dealerPassword) {
    const d = new SimulatedDealer({
      tableId: table.tableId,
      tableServiceUrl,
      dealerId: `dealer-${table.tableId}`,
      password: dealerPassword,
      log,
    });
    feed.on('sceneevent', (event) => d.onSceneEvent(event));
    dealer = d;
  }
  running.push({ feed, publisher, ...(dealer ? { dealer } : {}) });
}
log('studio simulator running', {
  tables: tables.map((t) => t.tableId),
  cards: deckChoice.kind === 'deck' ? deckChoice.deck : 'painted',
});

onShutdownSignal({
  service: 'studio-simulator',
  log: logger,
  close: () =>
    Promise.all(
      running.map(({ feed, publisher, dealer }) => {
        dealer?.close();
        publisher.close();
        return feed.close();
      }),
    ),
  timeoutMs: 200,
});
