import type { TableAck } from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@live-casino/testing';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

interface Balance {
  amount: number;
  currency: string;
}

/** A socket of `token` recording every `balance` event it receives. */
async function connect(url: string, token: string): Promise<{ socket: Socket; balances: Balance[] }> {
  const socket = io(url, { transports: ['websocket'], auth: { token }, forceNew: true });
  const balances: Balance[] = [];
  socket.on('balance', (b: Balance) => balances.push(b));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, balances };
}

describe('the balance event', () => {
  let server: TestPostgres;
  let service: TestService;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [
        { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
        { id: 'boss', role: 'pitboss', password: 'boss-password' },
      ],
      demoPlayers: 2,
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await service?.svc.close();
    await server?.close();
  });

  it("reaches the player's own sockets after a bet, a cancel, a settlement and a void; nobody else's", async () => {
    const dealer = await service.staffToken('dealer-1', 'dealer-password');
    const boss = await service.staffToken('boss', 'boss-password');
    const alice = await service.playerToken('demo1');
    const bob = await service.playerToken('demo2');
    const phone = await connect(service.url, alice);
    const laptop = await connect(service.url, alice);
    const other = await connect(service.url, bob);
    const anonymous = await connect(service.url, '');
    sockets.push(phone.socket, laptop.socket, other.socket, anonymous.socket);
    // The room is joined once the session is verified: wait until a socket of alice's is in it.
    await waitFor('alice in her room', async () => {
      const ids = await service.svc.realtime.io.in(`player:${(await whoAmI(alice)).id}`).fetchSockets();
      return ids.length === 2 ? true : undefined;
    });

    const open = async (): Promise<string> => {
      const res = await service.inject('POST', '/v1/tables/roulette-1/rounds', dealer, {
        opensAtStudioMs: Date.now() - 20_000,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.roundId as string;
    };
    const bet = (roundId: string, clientBetId: string, stake: number) =>
      phone.socket.emitWithAck('placeBet', { clientBetId, roundId, bet: { type: 'red' }, stake }) as Promise<
        TableAck<unknown>
      >;

    // A bet, then a cancel.
    const first = await open();
    // The betting socket has its balance in the ack; the player's other sockets hear the event.
    expect(await bet(first, 'b1', 1000)).toMatchObject({ ok: true, data: { balance: 99_000 } });
    await waitFor('balance after the bet', () => (laptop.balances.length === 1 ? true : undefined));
    expect(laptop.balances).toEqual([{ amount: 99_000, currency: 'EUR' }]);
    expect(((await phone.socket.emitWithAck('cancelBet', { clientBetId: 'b1' })) as TableAck<unknown>).ok).toBe(true);
    await waitFor('balance after the cancel', () => (laptop.balances.length === 2 ? true : undefined));
    expect(laptop.balances[1]).toEqual({ amount: 100_000, currency: 'EUR' });

    // A bet on red, and red wins: after settlement the player hears their wallet as it is then.
    expect((await bet(first, 'b2', 1000)).ok).toBe(true);
    await waitFor('balance after the bet', () => (laptop.balances.length === 3 ? true : undefined));
    // Closed on a frame after the bet arrived (a close stamped earlier would refund it as late).
    const closed = await service.inject('POST', `/v1/rounds/${first}/close`, dealer, {
      closesAtStudioMs: Date.now(),
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const result = await service.inject('POST', `/v1/rounds/${first}/result`, dealer, { result: { pocket: 1 } });
    expect(result.status).toBe(200);
    expect((await service.inject('POST', `/v1/rounds/${first}/confirm`, dealer)).status).toBe(200);
    // Settled by the dealer or, past its deadline, by the table's owner: either way once.
    await service.inject('POST', `/v1/rounds/${first}/settle`, dealer);
    await waitFor('the round settled', async () =>
      (await service.inject('GET', '/v1/tables/roulette-1/round')).body.round === null ? true : undefined,
    );
    const afterSettlement = await wallet(alice);
    await waitFor('balance after settlement', () =>
      laptop.balances.length === 4 && laptop.balances[3]!.amount === afterSettlement ? true : undefined,
    );

    // A void refunds and says so.
    const second = await open();
    expect((await bet(second, 'b3', 500)).ok).toBe(true);
    await waitFor('balance after the bet', () =>
      laptop.balances.at(-1)?.amount === afterSettlement - 500 ? true : undefined,
    );
    const voided = await service.inject('POST', `/v1/rounds/${second}/void`, boss, { reason: 'test void' });
    expect(voided.status).toBe(200);
    await waitFor('balance after the void', () =>
      laptop.balances.length === 6 && laptop.balances[5]!.amount === afterSettlement ? true : undefined,
    );

    // The phone, which placed the bets, heard everything else (its bets' balances came in their
    // acks); bob and the anonymous socket heard nothing.
    const notBets = [laptop.balances[1], laptop.balances[3], laptop.balances[5]];
    await waitFor('the phone to hear as much', () => (phone.balances.length === notBets.length ? true : undefined));
    expect(phone.balances).toEqual(notBets);
    expect(other.balances).toEqual([]);
    expect(anonymous.balances).toEqual([]);
  });

  async function wallet(token: string): Promise<number> {
    return (await service.inject('GET', '/v1/me', token)).body.balance.amount;
  }

  async function whoAmI(token: string): Promise<{ id: string }> {
    return (await service.inject('GET', '/v1/me', token)).body.player;
  }
});
