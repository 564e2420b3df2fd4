import { ClientError, TableServiceClient, type TableRealtime } from '@live-casino/clients';
import type { ChatMessage, ChatMute, ChatUnmute } from '@live-casino/protocol';
import { waitFor } from '@live-casino/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

/** The table chat end to end: socket.io in, stored, moderated, muted, and paged over HTTP. */
describe('table chat', () => {
  let pg: TestPostgres;
  let service: TestService;
  const clients: TableServiceClient[] = [];
  let n = 0;

  beforeAll(async () => {
    pg = await startTestPostgres();
    service = await startTestService(pg, {
      staff: [
        { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
        { id: 'boss', role: 'pitboss', password: 'boss-password' },
        { id: 'vision', role: 'service', password: 'vision-secret-0123456789abcdef' },
      ],
      demoPlayers: 6,
      env: { CHAT_MESSAGES_PER_MIN: '6', CHAT_BURST: '8' },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await service?.svc.close();
    await pg?.close();
  });

  /** A signed-in connection that watches roulette-1 and records its chat. */
  async function join(credentials: ConstructorParameters<typeof TableServiceClient>[0]['credentials']) {
    const client = new TableServiceClient({ baseUrl: service.url, credentials });
    clients.push(client);
    const rt: TableRealtime = client.realtime();
    const heard: ChatMessage[] = [];
    const muted: ChatMute[] = [];
    const unmuted: ChatUnmute[] = [];
    rt.onChat((m) => heard.push(m));
    rt.onChatMuted((m) => muted.push(m));
    rt.onChatUnmuted((m) => unmuted.push(m));
    await rt.watch('roulette-1', { onEvent: () => undefined, onSnapshot: () => undefined });
    const say = (text: string, tableId = 'roulette-1', clientMessageId = `m${++n}`) =>
      rt.sendChat({ tableId, clientMessageId, text });
    return { client, rt, heard, muted, unmuted, say };
  }
  const player = (i: number) => join({ kind: 'player', username: `demo${i}`, password: 'demo-password' });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('accepted');
      },
      (err: unknown) => {
        if (!(err instanceof ClientError)) throw err;
        return err;
      },
    );

  it('a message is stored, answered to its sender and heard by the table in order; a retry is the same message', async () => {
    const a = await player(1);
    const b = await player(2);
    const first = await a.say('  good   luck\tall ');
    expect(first).toMatchObject({
      tableId: 'roulette-1',
      text: 'good luck all',
      author: { id: expect.any(String), role: 'player', displayName: 'Demo 1' },
    });
    const second = await b.say('thanks!');
    const third = await a.say('red again?');
    await waitFor('b hears all three', () => (b.heard.length >= 3 ? true : undefined));
    expect(b.heard.map((m) => m.text)).toEqual(['good luck all', 'thanks!', 'red again?']);
    expect(BigInt(second.messageId)).toBeGreaterThan(BigInt(first.messageId));
    expect(BigInt(third.messageId)).toBeGreaterThan(BigInt(second.messageId));
    // A retry (a lost acknowledgement) answers the stored message and is not heard twice.
    const again = await a.say('red again?', 'roulette-1', third.clientMessageId);
    expect(again).toEqual(third);
    const otherText = await refusal(a.say('something else', 'roulette-1', third.clientMessageId));
    expect(otherText.code).toBe('BAD_REQUEST');
    const history = await service.inject(
      'GET',
      '/v1/tables/roulette-1/chat?limit=2',
      await service.playerToken('demo3'),
    );
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: ChatMessage) => m.text)).toEqual(['thanks!', 'red again?']);
    const older = await service.inject(
      'GET',
      `/v1/tables/roulette-1/chat?limit=2&before=${history.body.before}`,
      await service.playerToken('demo3'),
    );
    expect(older.body.messages.map((m: ChatMessage) => m.text)).toEqual(['good luck all']);
    expect(older.body.before).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    expect(b.heard.filter((m) => m.messageId === third.messageId)).toHaveLength(1);
  });

  it('moderation refuses words of the list and links, with a code, and stores nothing', async () => {
    const c = await player(3);
    const before = (
      await service.inject('GET', '/v1/tables/roulette-1/chat?limit=200', await service.playerToken('demo3'))
    ).body.messages.length;
    for (const text of ['what the F.U.C.K', 'sh1tty dealer', 'join www.example.com', 'dm me at bigwins . com']) {
      const err = await refusal(c.say(text));
      expect(err.code, text).toBe('CHAT_MESSAGE_REFUSED');
    }
    // Words that only contain a listed one are fine.
    await expect(c.say('Scunthorpe assessment, class act')).resolves.toMatchObject({
      text: 'Scunthorpe assessment, class act',
    });
    const tooLong = await refusal(c.say('x'.repeat(201)));
    expect(tooLong.code).toBe('BAD_REQUEST');
    const after = (
      await service.inject('GET', '/v1/tables/roulette-1/chat?limit=200', await service.playerToken('demo3'))
    ).body.messages.length;
    expect(after).toBe(before + 1);
  });

  it('a sender past the burst is refused RATE_LIMITED with the wait', async () => {
    const d = await player(4);
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => d.say(`hello ${i}`)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    expect(refused.map((e: ClientError) => e.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect((refused[0] as ClientError).retryAfterS).toBeGreaterThan(0);
  });

  it('who may speak where: a dealer at their own table, a pit boss anywhere, no service, no stranger', async () => {
    const dealer = await join({ kind: 'staff', id: 'dealer-1', password: 'dealer-password' });
    await expect(dealer.say('Place your bets')).resolves.toMatchObject({
      author: { role: 'dealer', displayName: 'dealer-1' },
    });
    expect((await refusal(dealer.say('hi', 'baccarat-1'))).code).toBe('AUTH_WRONG_TABLE');
    const boss = await join({ kind: 'staff', id: 'boss', password: 'boss-password' });
    await expect(boss.say('welcome', 'baccarat-1')).resolves.toMatchObject({ author: { role: 'pitboss' } });
    const vision = await join({ kind: 'staff', id: 'vision', password: 'vision-secret-0123456789abcdef' });
    expect((await refusal(vision.say('beep'))).code).toBe('AUTH_FORBIDDEN_ROLE');
    expect((await refusal(boss.say('hello', 'no-such-table'))).code).toBe('TABLE_NOT_FOUND');
    const anonymous = await service.inject('GET', '/v1/tables/roulette-1/chat');
    expect(anonymous.status).toBe(401);
  });

  it("a pit boss's mute silences a player at that table, who hears it; lifting it lets them speak", async () => {
    const a = await player(5);
    const b = await player(6);
    const playerId = (await a.say('before the mute')).author.id;
    const boss = await service.staffToken('boss', 'boss-password');
    const byPlayer = await service.inject(
      'POST',
      '/v1/tables/roulette-1/chat/mutes',
      await service.playerToken('demo6'),
      {
        playerId,
        minutes: 10,
        reason: 'spam',
      },
    );
    expect(byPlayer.status).toBe(403);
    const muted = await service.inject('POST', '/v1/tables/roulette-1/chat/mutes', boss, {
      playerId,
      minutes: 10,
      reason: 'spam',
    });
    expect(muted.status).toBe(201);
    expect(muted.body).toMatchObject({ tableId: 'roulette-1', playerId, reason: 'spam', mutedBy: 'boss' });
    await waitFor('the player hears the mute', () => (a.muted.length > 0 ? true : undefined));
    const err = await refusal(a.say('let me talk'));
    expect(err.code).toBe('CHAT_MUTED');
    expect(err.message).toContain('spam');
    // How long it lasts, so that the player's page can say it: about the 10 minutes.
    expect(err.retryAfterS).toBeGreaterThan(9 * 60);
    expect(err.retryAfterS).toBeLessThanOrEqual(10 * 60);
    // A page opened now knows before the player types: their own mute here, with the time it has left.
    const ownMute = async (username: string, table = 'roulette-1') =>
      (await service.inject('GET', `/v1/tables/${table}/chat?limit=1`, await service.playerToken(username))).body
        .ownMute;
    const own = await ownMute('demo5');
    expect(own).toMatchObject({ reason: 'spam' });
    expect(own.remainingMs).toBeGreaterThan(9 * 60_000);
    expect(own.remainingMs).toBeLessThanOrEqual(10 * 60_000);
    expect(await ownMute('demo6')).toBeUndefined();
    expect(await ownMute('demo5', 'baccarat-1')).toBeUndefined();
    // Elsewhere, and for others, the chat goes on.
    await expect(a.say('other table', 'baccarat-1')).resolves.toBeTruthy();
    await expect(b.say('still here')).resolves.toBeTruthy();
    const list = await service.inject('GET', '/v1/tables/roulette-1/chat/mutes', boss);
    expect(list.body.mutes.map((m: ChatMute) => m.playerId)).toEqual([playerId]);
    expect((await service.inject('DELETE', `/v1/tables/roulette-1/chat/mutes/${playerId}`, boss)).status).toBe(204);
    await waitFor('the player hears the mute lifted', () => (a.unmuted.length > 0 ? true : undefined));
    expect(await ownMute('demo5')).toBeUndefined();
    expect(a.unmuted[0]).toMatchObject({ tableId: 'roulette-1', playerId, liftedBy: 'boss' });
    // Lifting it again is done too, and tells nobody anything new.
    expect((await service.inject('DELETE', `/v1/tables/roulette-1/chat/mutes/${playerId}`, boss)).status).toBe(204);
    await expect(a.say('thank you')).resolves.toBeTruthy();
    expect(a.unmuted).toHaveLength(1);
    const unknown = await service.inject('POST', '/v1/tables/roulette-1/chat/mutes', boss, {
      playerId: 'nobody',
      minutes: 1,
      reason: 'x',
    });
    expect(unknown.body.code).toBe('BAD_REQUEST');
  });
});
