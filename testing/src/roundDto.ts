import type { RoundDto } from '@live-casino/protocol';

/**
 * A round as the wire carries it, betting open at `opensAtStudioMs` and nothing decided yet; the
 * tests of what reads rounds (the lobby, the overlay's video time) change what they are about.
 */
export function roundDto(patch: Partial<RoundDto> = {}): RoundDto {
  return {
    roundId: 'r_00000000-0000-0000-0000-000000000001',
    tableId: 'roulette-1',
    number: 1,
    game: 'roulette',
    currency: 'EUR',
    state: 'BETTING_OPEN',
    opensAtStudioMs: 10_000,
    closesAtStudioMs: null,
    revealsAtStudioMs: null,
    lastAcceptanceMs: null,
    result: null,
    resultSource: null,
    resultStudioMs: null,
    confirmedBy: null,
    confirmedReadingId: null,
    voidReason: null,
    visionCheck: false,
    hold: null,
    ...patch,
  };
}
