import { createHash } from 'node:crypto';
import type { RoundState } from '@live-casino/protocol';

/**
 * A round's life: IDLE → BETTING_OPEN → BETTING_CLOSED → RESULT_PENDING → RESULT_CONFIRMED → SETTLED,
 * with VOIDED reachable from any state before SETTLED. Every transition is applied in Postgres as
 * one conditional update (`… WHERE state = <from>`), so two nodes can never both move a round.
 */
export { ROUND_STATES, type RoundState } from '@live-casino/protocol';

const NEXT: Record<RoundState, readonly RoundState[]> = {
  IDLE: ['BETTING_OPEN', 'VOIDED'],
  BETTING_OPEN: ['BETTING_CLOSED', 'VOIDED'],
  BETTING_CLOSED: ['RESULT_PENDING', 'VOIDED'],
  RESULT_PENDING: ['RESULT_CONFIRMED', 'VOIDED'],
  RESULT_CONFIRMED: ['SETTLED', 'VOIDED'],
  SETTLED: [],
  VOIDED: [],
};

export function canTransition(from: RoundState, to: RoundState): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(state: RoundState): boolean {
  return NEXT[state].length === 0;
}

/** Canonical JSON: keys sorted at every level, so a log entry hashes the same everywhere. */
export function canonicalJson(value: unknown): string {
  // Built by concatenation, keys sorted in place: this runs once per bet (the bet's body hash), and
  // the entries/filter/map/join version was 3 % of the service under load.
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // As Array.prototype.join renders them: an undefined element (or a function) as nothing.
      out += canonicalJson(value[i]) ?? '';
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort compares strings by UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Hash of a round-log entry chained to the previous one (per table): tampering breaks the chain. */
export function chainHash(previousHash: string, entry: Record<string, unknown>): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonicalJson(entry)).digest('hex');
}
