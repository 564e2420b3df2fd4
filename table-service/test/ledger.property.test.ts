import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import {
  type AccountKind,
  Ledger,
  LedgerError,
  type LedgerErrorCode,
  type TransferKind,
  type TransferRequest,
} from '../src/Ledger.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.close();
});

interface ModelAccount {
  kind: AccountKind;
  currency: string;
  balance: number;
}

/** Names of the accounts of one run (prefixed with the run, so that runs share the database). */
const ACCOUNTS: { name: string; kind: AccountKind; currency: string }[] = [
  { name: 'cashier', kind: 'cashier', currency: 'EUR' },
  { name: 'house', kind: 'house', currency: 'EUR' },
  { name: 'w1', kind: 'player_wallet', currency: 'EUR' },
  { name: 'w2', kind: 'player_wallet', currency: 'EUR' },
  { name: 'e1', kind: 'round_escrow', currency: 'EUR' },
  { name: 'e2', kind: 'round_escrow', currency: 'EUR' },
  { name: 'usd', kind: 'player_wallet', currency: 'USD' },
];
const NAMES = [...ACCOUNTS.map((a) => a.name), 'ghost'];
const KINDS: TransferKind[] = ['deposit', 'bet', 'payout', 'loss', 'void_refund'];

const arbRequest = fc.record({
  idSlot: fc.integer({ min: 0, max: 11 }),
  from: fc.constantFrom(...NAMES),
  to: fc.constantFrom(...NAMES),
  amount: fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 1, max: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -5, 2 ** 53) },
  ),
  currency: fc.constantFrom('EUR', 'EUR', 'EUR', 'USD'),
  kind: fc.constantFrom(...KINDS),
  roundId: fc.option(fc.constantFrom('r1', 'r2'), { nil: undefined }),
});
type ArbRequest = typeof arbRequest extends fc.Arbitrary<infer T> ? T : never;

/** A new request, or the resending of one sent `back` requests ago (a client retry). */
const arbItem = fc.oneof(
  { weight: 3, arbitrary: arbRequest.map((fresh) => ({ fresh })) },
  { weight: 1, arbitrary: fc.nat(30).map((back) => ({ back })) },
);
type ArbItem = typeof arbItem extends fc.Arbitrary<infer T> ? T : never;

const arbOp = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('deposit' as const),
      to: fc.constantFrom('w1', 'w2', 'e1', 'e2'),
      amount: fc.integer({ min: 1, max: 500 }),
      idSlot: fc.integer({ min: 0, max: 11 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('transfer' as const), item: arbItem }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('batch' as const, 'place' as const),
      items: fc.array(arbItem, { minLength: 1, maxLength: 10 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('many' as const),
      items: fc.array(arbItem, { minLength: 1, maxLength: 5 }),
    }),
  },
);

/**
 * A model of the ledger in a few lines: the real one must agree with it on every outcome and every
 * balance, and ledger:check must find nothing wrong, whatever the sequence (duplicates, conflicts,
 * overdrafts, unknown accounts, wrong currencies, bad amounts, failed settlements).
 */
class Model {
  readonly accounts = new Map<string, ModelAccount>();
  readonly committed = new Map<string, string>();

  constructor(prefix: string) {
    for (const a of ACCOUNTS)
      this.accounts.set(`${prefix}${a.name}`, { kind: a.kind, currency: a.currency, balance: 0 });
  }

  /** The outcome of one request against `accounts`/`committed`, applying it if it commits. */
  apply(
    req: TransferRequest,
    accounts = this.accounts,
    committed = this.committed,
  ): 'committed' | 'replayed' | LedgerErrorCode {
    if (!Number.isSafeInteger(req.amount) || req.amount <= 0 || req.from === req.to) return 'BAD_REQUEST';
    const body = JSON.stringify([req.from, req.to, req.amount, req.currency, req.kind, req.roundId ?? null]);
    const prior = committed.get(req.id);
    if (prior !== undefined) return prior === body ? 'replayed' : 'LEDGER_IDEMPOTENCY_CONFLICT';
    const from = accounts.get(req.from);
    const to = accounts.get(req.to);
    if (!from || !to) return 'LEDGER_ACCOUNT_NOT_FOUND';
    if (from.currency !== req.currency || to.currency !== req.currency) return 'LEDGER_CURRENCY_MISMATCH';
    if (from.balance < req.amount && from.kind === 'player_wallet') return 'WALLET_INSUFFICIENT_FUNDS';
    if (from.balance < req.amount && from.kind === 'round_escrow') return 'LEDGER_INSUFFICIENT_FUNDS';
    from.balance -= req.amount;
    to.balance += req.amount;
    committed.set(req.id, body);
    return 'committed';
  }

  applyAll(reqs: TransferRequest[]): ('committed' | 'replayed')[] | { code: LedgerErrorCode; index: number } {
    if (reqs.some((r) => !Number.isSafeInteger(r.amount) || r.amount <= 0 || r.from === r.to)) {
      return {
        code: 'BAD_REQUEST',
        index: reqs.findIndex((r) => !Number.isSafeInteger(r.amount) || r.amount <= 0 || r.from === r.to),
      };
    }
    const accounts = new Map([...this.accounts].map(([k, v]) => [k, { ...v }]));
    const committed = new Map(this.committed);
    const outcomes: ('committed' | 'replayed')[] = [];
    for (const [index, req] of reqs.entries()) {
      const outcome = this.apply(req, accounts, committed);
      if (outcome !== 'committed' && outcome !== 'replayed') return { code: outcome, index };
      outcomes.push(outcome);
    }
    for (const [k, v] of accounts) this.accounts.set(k, v);
    for (const [k, v] of committed) this.committed.set(k, v);
    return outcomes;
  }
}

it('random sequences of deposits, bets, settlements, duplicates and failures keep the ledger sound', async () => {
  const db = await server.freshDatabase();
  const ledger = await Ledger.create({ pool: db.pool, log: silentLog });
  let run = 0;

  await fc.assert(
    fc.asyncProperty(fc.array(arbOp, { minLength: 1, maxLength: 30 }), async (ops) => {
      const prefix = `run${run++}:`;
      const model = new Model(prefix);
      for (const a of ACCOUNTS) {
        await ledger.openAccount({ id: `${prefix}${a.name}`, kind: a.kind, owner: prefix, currency: a.currency });
      }
      const sent: TransferRequest[] = [];
      const send = (req: TransferRequest): TransferRequest => {
        sent.push(req);
        return req;
      };
      const toRequests = (items: ArbItem[]): TransferRequest[] =>
        items.flatMap((item) => {
          if ('back' in item) {
            const again = sent[sent.length - 1 - (item.back % Math.max(sent.length, 1))];
            return again ? [send(again)] : [];
          }
          const r: ArbRequest = item.fresh;
          return [
            send({
              id: `${prefix}t${r.idSlot}`,
              from: `${prefix}${r.from}`,
              to: `${prefix}${r.to}`,
              amount: r.amount,
              currency: r.currency,
              kind: r.kind,
              roundId: r.roundId,
            }),
          ];
        });
      const outcomeOf = async (p: Promise<{ replayed: boolean }>) =>
        p.then(
          (r) => (r.replayed ? 'replayed' : 'committed'),
          (err: unknown) => {
            if (err instanceof LedgerError) return err.code;
            throw err;
          },
        );

      for (const op of ops) {
        switch (op.op) {
          case 'deposit': {
            const req = send({
              id: `${prefix}t${op.idSlot}`,
              from: `${prefix}cashier`,
              to: `${prefix}${op.to}`,
              amount: op.amount,
              currency: 'EUR',
              kind: 'deposit',
            });
            expect(await outcomeOf(ledger.transfer(req))).toBe(model.apply(req));
            break;
          }
          case 'transfer': {
            for (const req of toRequests([op.item])) {
              expect(await outcomeOf(ledger.transfer(req))).toBe(model.apply(req));
            }
            break;
          }
          case 'batch': {
            const reqs = toRequests(op.items);
            if (reqs.length === 0) break;
            const results = await ledger.placeBatch(reqs);
            const actual = results.map((r) => (r.ok ? (r.replayed ? 'replayed' : 'committed') : r.error.code));
            expect(actual).toEqual(reqs.map((r) => model.apply(r)));
            break;
          }
          case 'place': {
            // Concurrent callers of the group commit: the queue keeps their order.
            const reqs = toRequests(op.items);
            const actual = await Promise.all(reqs.map((r) => outcomeOf(ledger.place(r))));
            expect(actual).toEqual(reqs.map((r) => model.apply(r)));
            break;
          }
          case 'many': {
            const reqs = toRequests(op.items);
            if (reqs.length === 0) break;
            const expected = model.applyAll(reqs);
            const actual = await ledger.transferMany(reqs).then(
              (rs) => rs.map((r) => (r.replayed ? 'replayed' : 'committed')),
              (err: unknown) => {
                if (err instanceof LedgerError) return { code: err.code, index: err.index };
                throw err;
              },
            );
            expect(actual).toEqual(expected);
            break;
          }
          default:
            throw new Error('unreachable');
        }
      }

      for (const [id, account] of model.accounts) expect(await ledger.balance(id), id).toBe(account.balance);
      const report = await checkLedger(db.pool);
      expect(report.violations).toEqual([]);
      expect(report.currencies.every((c) => c.sum === '0')).toBe(true);
    }),
    { numRuns: 100 },
  );
});
