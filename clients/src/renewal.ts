/** How long before its end a session or stream grant is renewed, when its life allows it. */
export const RENEW_BEFORE_MS = 60_000;

/**
 * When a session or stream grant obtained at `obtainedAt` (Unix ms, the caller's clock) and good
 * until `expiresAt` is renewed: `renewBeforeMs` before its end, or half-way through its life when
 * that comes later. A margin alone renews a token shorter than the margin on every use (20 s stream
 * tokens against a 60 s margin); half its life keeps it for a while and still renews it well before
 * its end. A token that looks already over (clocks disagree) is due at once.
 */
export function renewAt(expiresAt: number, obtainedAt: number, renewBeforeMs = RENEW_BEFORE_MS): number {
  const lifeMs = Math.max(0, expiresAt - obtainedAt);
  return expiresAt - Math.min(renewBeforeMs, lifeMs / 2);
}
