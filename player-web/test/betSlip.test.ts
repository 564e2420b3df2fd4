import type { BetDto, GameBet } from '@live-casino/protocol';
import { describe, expect, it } from 'vitest';
import { BetSlip, type BetSender } from '../src/bets/BetSlip.js';

class FakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** table-service as the slip sees it: a wallet, bets by id, refusals on demand, answers held until released. */
function fakeTable(balance = 1_000) {
  const placed = new Map<string, { bet: GameBet; stake: number; frameStudioMs?: number }>();
  const held: (() => void)[] = [];
  let hold = false;
  let refuseNext: FakeError | null = null;
  const answer = <T>(fn: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      const go = () => {
        try {
          resolve(fn());
        } catch (err) {
          reject(err);
        }
      };
      if (hold) held.push(go);
      else queueMicrotask(go);
    });
  const dto = (clientBetId: string, bet: GameBet, stake: number, status: BetDto['status']): BetDto => ({
    betId: `p:${clientBetId}`,
    clientBetId,
    roundId: 'r_1',
    tableId: 't',
    bet,
    stake,
    currency: 'EUR',
    status,
    windowBasis: 'video',
    balance,
  });
  const sender: BetSender = {
    placeBet: (req) =>
      answer(() => {
        if (refuseNext) {
          const err = refuseNext;
          refuseNext = null;
          throw err;
        }
        if (req.stake > balance) throw new FakeError('WALLET_INSUFFICIENT_FUNDS', 'insufficient funds');
        balance -= req.stake;
        placed.set(req.clientBetId, {
          bet: req.bet,
          stake: req.stake,
          ...(req.frameStudioMs === undefined ? {} : { frameStudioMs: req.frameStudioMs }),
        });
        return dto(req.clientBetId, req.bet, req.stake, 'placed');
      }),
    cancelBet: (clientBetId) =>
      answer(() => {
        const bet = placed.get(clientBetId);
        if (!bet) throw new FakeError('BET_NOT_FOUND', 'no such bet');
        placed.delete(clientBetId);
        balance += bet.stake;
        return dto(clientBetId, bet.bet, bet.stake, 'cancelled');
      }),
  };
  return {
    sender,
    placed,
    get balance() {
      return balance;
    },
    refuse(code: string) {
      refuseNext = new FakeError(code, code);
    },
    holdAnswers(on: boolean) {
      hold = on;
      if (!on) for (const go of held.splice(0)) go();
    },
  };
}

const RED: GameBet = { type: 'red' };
const SPLIT: GameBet = { type: 'split', numbers: [20, 17] };

describe('BetSlip', () => {
  it('places each chip with the frame it was clicked on; the balance follows the answers', async () => {
    const table = fakeTable();
    const slip = new BetSlip(table.sender);
    slip.startRound('r_1');
    await slip.place(RED, 100, 1_800_000_000_123.6);
    await slip.place({ type: 'split', numbers: [17, 20] }, 50, 1_800_000_000_200);
    await slip.place(SPLIT, 25, 1_800_000_000_300);
    const s = slip.store.getState();
    // One spot for the split, whatever the order of its numbers.
    expect(s.spots.map((sp) => [sp.key, sp.chips.map((c) => c.stake)])).toEqual([
      ['red', [100]],
      ['split 17-20', [50, 25]],
    ]);
    expect(s.total).toBe(175);
    expect(s.balance).toBe(825);
    expect([...table.placed.values()].map((b) => b.frameStudioMs)).toEqual([
      1_800_000_000_123, 1_800_000_000_200, 1_800_000_000_300,
    ]);
  });

  it('a refused chip comes back with the reason, and nothing else moves', async () => {
    const table = fakeTable(120);
    const slip = new BetSlip(table.sender);
    slip.startRound('r_1');
    await slip.place(RED, 100, null);
    await slip.place(RED, 100, null);
    table.refuse('TABLE_BETTING_CLOSED');
    await slip.place(SPLIT, 10, null);
    const s = slip.store.getState();
    expect(s.spots.map((sp) => [sp.key, sp.chips.length])).toEqual([['red', 1]]);
    expect(s.notices.map((n) => n.code)).toEqual(['WALLET_INSUFFICIENT_FUNDS', 'TABLE_BETTING_CLOSED']);
    expect(s.notices[1]?.text).toMatch(/betting had closed on your video/);
    expect(s.canUndo).toBe(true);
  });

  it('undo takes back the last action (a whole double at once), clear takes back everything', async () => {
    const table = fakeTable();
    const slip = new BetSlip(table.sender);
    slip.startRound('r_1');
    await slip.place(RED, 100, null);
    await slip.place(SPLIT, 50, null);
    await slip.double(null);
    expect(slip.store.getState().total).toBe(300);
    await slip.undo();
    expect(slip.store.getState().total).toBe(150);
    await slip.undo();
    expect(slip.store.getState().spots.map((s) => s.key)).toEqual(['red']);
    await slip.place(SPLIT, 50, null);
    await slip.clear();
    expect(slip.store.getState()).toMatchObject({ spots: [], total: 0, canUndo: false, balance: 1_000 });
    expect(table.placed.size).toBe(0);
  });

  it('an undo of a chip still on its way cancels it once it is placed', async () => {
    const table = fakeTable();
    const slip = new BetSlip(table.sender);
    slip.startRound('r_1');
    table.holdAnswers(true);
    const placing = slip.place(RED, 100, null);
    expect(slip.store.getState().spots[0]?.chips[0]?.status).toBe('sending');
    const undoing = slip.undo();
    table.holdAnswers(false);
    await placing;
    table.holdAnswers(false);
    await undoing;
    await new Promise((r) => setTimeout(r, 0));
    table.holdAnswers(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(table.placed.size).toBe(0);
    expect(slip.store.getState().spots).toEqual([]);
  });

  it("rebet places the last round's bets again, merged by spot; a resync of the same round changes nothing", async () => {
    const table = fakeTable();
    const slip = new BetSlip(table.sender);
    slip.startRound('r_1');
    await slip.place(RED, 100, null);
    await slip.place(RED, 20, null);
    await slip.place(SPLIT, 50, null);
    slip.startRound('r_1');
    expect(slip.store.getState().total).toBe(170);
    slip.startRound('r_2');
    expect(slip.store.getState()).toMatchObject({ spots: [], total: 0 });
    expect(slip.store.getState().lastRound).toEqual([
      { bet: RED, stake: 120 },
      { bet: SPLIT, stake: 50 },
    ]);
    await slip.rebet(1_800_000_001_000);
    expect(slip.store.getState().spots.map((s) => [s.key, s.chips.map((c) => c.stake)])).toEqual([
      ['red', [120]],
      ['split 17-20', [50]],
    ]);
    // One undo takes the whole rebet back.
    await slip.undo();
    expect(slip.store.getState().total).toBe(0);
  });

  it('after a reload the layout shows the bets table-service has for the round', () => {
    const slip = new BetSlip(fakeTable().sender);
    const bet = (clientBetId: string, status: BetDto['status']): BetDto => ({
      betId: `p:${clientBetId}`,
      clientBetId,
      roundId: 'r_9',
      tableId: 't',
      bet: RED,
      stake: 10,
      currency: 'EUR',
      status,
      windowBasis: 'video',
    });
    slip.adoptPlaced('r_9', [bet('a', 'placed'), bet('b', 'cancelled'), bet('c', 'placed'), bet('a', 'placed')]);
    expect(slip.store.getState()).toMatchObject({ roundId: 'r_9', total: 20 });
  });
});
