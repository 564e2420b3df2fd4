import { useEffect, useRef, useState } from 'react';
import type { GameBet, RoundResult, TableSummary } from '@live-casino/protocol';
import { pocketColour } from '@live-casino/protocol/games/roulette';
import { tableService } from '../api.js';
import { playerBalance } from '../balance.js';
import { BettingSession } from '../bets/BettingSession.js';
import { baccaratHands, betReturn } from '../bets/outcome.js';
import { OverlayRecorder } from '../bets/overlayHook.js';
import { type OverlayPhase, overlayPhase, PhaseLatch } from '../bets/videoTime.js';
import { useStore } from '../store.js';
import type { TableClient } from '../TableClient.js';
import { BaccaratBoard } from './BaccaratBoard.js';
import { chipLabel, formatMoney } from './money.js';
import { RouletteBoard } from './RouletteBoard.js';

/** Chip values in minor units, cut to the table's limits. */
const CHIPS = [100, 500, 2_500, 10_000, 50_000];

/**
 * The bet overlay under the video: the phase as the video shows it (countdown, no more bets,
 * result), the layout with the chips, the chip rack and undo/clear/rebet/double, the balance and
 * what the round brought. Clicks carry the studio time of the frame on screen.
 */
/**
 * The player's betting session at the table on screen, for as long as the view lives (null for
 * the first render). Made in the effect that closes it, so a remount (StrictMode's, in development)
 * gets a session of its own instead of a closed one.
 */
export function useBettingSession(viewer: TableClient, tableId: string): BettingSession | null {
  const [session, setSession] = useState<BettingSession | null>(null);
  useEffect(() => {
    const created = new BettingSession({
      client: tableService,
      tableId,
      video: {
        mode: viewer.mode,
        frameStudioMs: () => viewer.snapshot().lastStudioTimeMs,
        playoutDelayMs: () => viewer.snapshot().playoutDelayMs,
      },
      onBalance: (amount, currency) => playerBalance.set(amount, currency),
    });
    setSession(created);
    void created.start().catch(() => undefined);
    return () => created.close();
  }, [viewer, tableId]);
  return session;
}

export function BetOverlay({
  viewer,
  table,
  session,
}: {
  viewer: TableClient;
  table: TableSummary;
  session: BettingSession;
}) {
  const round = useStore(session.store, (s) => s.round);
  const allowanceMs = useStore(session.store, (s) => s.allowanceMs);
  const networkMs = useStore(session.store, (s) => s.networkMs);
  const connected = useStore(session.store, (s) => s.connected);
  const currency = useStore(session.store, (s) => s.currency) ?? table.currency ?? 'EUR';
  const slip = useStore(session.slip.store, (s) => s);
  const [phase, setPhase] = useState<OverlayPhase>({ kind: 'waiting' });
  const [handicapNote, setHandicapNote] = useState(false);
  const [chip, setChip] = useState(() => defaultChip(table));
  const countdown = useRef<CountdownElements>({ number: null, bar: null, banner: null });
  // Outlives the per-round effect below: a round's close, once shown, stays shown.
  const latchRef = useRef(new PhaseLatch());
  const recorderRef = useRef(new OverlayRecorder());

  // Re-derived every animation frame from the frame on screen: the overlay moves with the video.
  // The countdown is written straight into its elements; React renders only when the phase changes.
  useEffect(() => {
    const recorder = recorderRef.current;
    const latch = latchRef.current;
    let raf = 0;
    const tick = () => {
      const v = viewer.snapshot();
      const next = latch.apply(
        round?.roundId ?? null,
        overlayPhase({
          round,
          frameStudioMs: v.lastStudioTimeMs,
          bettingWindowS: table.bettingWindowS ?? 15,
          playoutDelayMs: v.playoutDelayMs ?? 0,
          networkMs,
          allowanceMs,
        }),
      );
      setPhase((prior) => samePhase(prior, next));
      setHandicapNote((shown) => handicapNoteShown(shown, next.kind === 'open' ? next.handicapMs : 0));
      if (next.kind === 'open') drawCountdown(countdown.current, next);
      if (v.lastStudioTimeMs !== null) {
        recorder.record({
          frameStudioMs: v.lastStudioTimeMs,
          phase: next.kind,
          msLeft: next.kind === 'open' ? next.msLeft : null,
          endsAtStudioMs: next.kind === 'open' ? next.endsAtStudioMs : null,
        });
      }
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [viewer, round, networkMs, allowanceMs, table.bettingWindowS]);
  useEffect(() => recorderRef.current.install(), []);

  const open = phase.kind === 'open' && connected;
  const frame = () => viewer.snapshot().lastStudioTimeMs;
  const place = (bet: GameBet) => {
    if (open) void session.slip.place(bet, chip, frame());
    // Betting is over on the player's video: the click is refused here, with the reason, and nothing
    // is sent (the server would refuse it too: the frame on screen is past the close).
    else if (phase.kind === 'closed') session.slip.refuse('TABLE_BETTING_CLOSED', 'betting closed on your video');
  };
  const result = phase.kind === 'result' ? phase.result : null;
  const won = result
    ? slip.spots.reduce((sum, s) => sum + s.chips.reduce((t, c) => t + betReturn(s.bet, c.stake, result), 0), 0)
    : 0;
  const chips = CHIPS.filter((c) => withinLimits(c, table));

  return (
    <section className="bet-overlay" data-phase={phase.kind} aria-label="Betting">
      <div className="bet-head">
        <PhaseBanner phase={phase} elements={countdown.current} />
        <div className="bet-money">
          <span title="Your balance">
            Balance{' '}
            <b className="num" data-balance={slip.balance ?? ''}>
              {formatMoney(slip.balance, currency)}
            </b>
          </span>
          <span title="Your bets this round">
            Bet{' '}
            <b className="num" data-total={slip.total}>
              {formatMoney(slip.total, currency)}
            </b>
          </span>
        </div>
      </div>
      {result && <ResultLine result={result} won={won} staked={slip.total} currency={currency} />}
      {!connected && (
        <p className="bet-problem" role="alert">
          Reconnecting to the table… bets wait until it is back.
        </p>
      )}
      {table.game === 'roulette' ? (
        <RouletteBoard
          orientation={typeof window !== 'undefined' && window.innerWidth < 700 ? 'portrait' : 'landscape'}
          slip={slip}
          enabled={open}
          lateClicks={phase.kind === 'closed'}
          winningPocket={result && 'pocket' in result ? result.pocket : null}
          onBet={place}
        />
      ) : (
        <BaccaratBoard
          slip={slip}
          enabled={open}
          lateClicks={phase.kind === 'closed'}
          winners={result ? baccaratWinners(result) : new Set()}
          onBet={place}
        />
      )}
      <div className="bet-controls">
        <fieldset className="chip-rack">
          <legend className="sr-only">Chip value</legend>
          {chips.map((value) => (
            <button
              key={value}
              type="button"
              className={`rack-chip chip-${value}`}
              aria-pressed={chip === value}
              data-chip-value={value}
              onClick={() => setChip(value)}
            >
              {chipLabel(value)}
            </button>
          ))}
        </fieldset>
        <div className="bet-actions">
          {[
            { label: 'Undo', enabled: slip.canUndo, run: () => session.slip.undo() },
            { label: 'Clear', enabled: slip.total > 0, run: () => session.slip.clear() },
            {
              label: 'Rebet',
              enabled: slip.lastRound.length > 0 && slip.total === 0,
              run: () => session.slip.rebet(frame()),
            },
            { label: 'Double', enabled: slip.total > 0, run: () => session.slip.double(frame()) },
          ].map((a) => (
            <button
              key={a.label}
              type="button"
              className="btn btn-ghost"
              disabled={!open || !a.enabled}
              onClick={() => void a.run()}
            >
              {a.label}
            </button>
          ))}
        </div>
      </div>
      <ul className="bet-notices" aria-live="assertive">
        {slip.notices.map((n) => (
          <li key={n.id} data-code={n.code} data-detail={n.detail}>
            <span title={n.detail}>{n.text}</span>
            <button
              type="button"
              className="btn-x"
              aria-label="Dismiss"
              onClick={() => session.slip.dismissNotice(n.id)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {/* Last in the overlay: a note that comes and goes with the delay must not move the layout
          or the chips under a player's pointer (a click landed on the next bet when it did). */}
      {phase.kind === 'open' && handicapNote && (
        <p className="handicap muted small" role="note">
          Your video is {(phase.handicapMs / 1000).toFixed(1)} s behind the table: your betting closes that much
          earlier, so that every bet you place counts.
        </p>
      )}
    </section>
  );
}

interface CountdownElements {
  banner: HTMLDivElement | null;
  number: HTMLElement | null;
  bar: HTMLSpanElement | null;
}

/** The countdown of the frame on screen, written into the banner's elements (no React render per frame). */
function drawCountdown(el: CountdownElements, phase: Extract<OverlayPhase, { kind: 'open' }>): void {
  const seconds = String(Math.ceil(phase.msLeft / 1000));
  if (el.number && el.number.textContent !== seconds) el.number.textContent = seconds;
  if (el.bar) el.bar.style.width = `${Math.min(100, (100 * phase.msLeft) / phase.windowMs)}%`;
  el.banner?.setAttribute('data-ms-left', String(Math.round(phase.msLeft)));
}

function PhaseBanner({ phase, elements }: { phase: OverlayPhase; elements: CountdownElements }) {
  switch (phase.kind) {
    case 'open':
      return (
        <div
          className="phase phase-open"
          data-ms-left={Math.round(phase.msLeft)}
          ref={(node) => {
            elements.banner = node;
          }}
        >
          <span>Place your bets</span>
          <b
            className="num countdown"
            ref={(node) => {
              elements.number = node;
            }}
          >
            {Math.ceil(phase.msLeft / 1000)}
          </b>
          <span
            className="countdown-bar"
            ref={(node) => {
              elements.bar = node;
            }}
            style={{ width: `${Math.min(100, (100 * phase.msLeft) / phase.windowMs)}%` }}
          />
        </div>
      );
    case 'closed':
      return <div className="phase phase-closed">No more bets</div>;
    case 'result':
      return <div className="phase phase-result">Result</div>;
    case 'voided':
      return (
        <div className="phase phase-voided">
          Round void{phase.reason ? `: ${phase.reason}` : ''} — every bet is refunded
        </div>
      );
    default:
      return <div className="phase phase-waiting">Waiting for the next round</div>;
  }
}

function ResultLine({
  result,
  won,
  staked,
  currency,
}: {
  result: RoundResult;
  won: number;
  staked: number;
  currency: string;
}) {
  const outcome = staked === 0 ? null : won > 0 ? `You win ${formatMoney(won, currency)}` : `No win this round`;
  if ('pocket' in result) {
    return (
      <p className="result-line" data-result={result.pocket}>
        <span className={`pocket pocket-${pocketColour(result.pocket)}`}>{result.pocket}</span>
        {outcome && <b>{outcome}</b>}
      </p>
    );
  }
  const hands = baccaratHands(result.cards);
  return (
    <p className="result-line" data-result={hands.winner}>
      <span>
        Player {hands.playerTotal} · Banker {hands.bankerTotal} —{' '}
        <b>{hands.winner === 'tie' ? 'Tie' : hands.winner === 'player' ? 'Player wins' : 'Banker wins'}</b>
      </span>
      {outcome && <b>{outcome}</b>}
    </p>
  );
}

function baccaratWinners(result: RoundResult): ReadonlySet<string> {
  if (!('cards' in result)) return new Set();
  const hands = baccaratHands(result.cards);
  const winners = new Set<string>([hands.winner]);
  if (hands.player[0]?.rank === hands.player[1]?.rank) winners.add('playerPair');
  if (hands.banker[0]?.rank === hands.banker[1]?.rank) winners.add('bankerPair');
  return winners;
}

function withinLimits(value: number, table: TableSummary): boolean {
  const limits = Object.values(table.limits ?? {});
  if (limits.length === 0) return true;
  return limits.some((l) => value >= l.min && value <= l.max);
}

function defaultChip(table: TableSummary): number {
  return CHIPS.find((c) => withinLimits(c, table)) ?? CHIPS[0] ?? 100;
}

/**
 * The "your video is behind" note shows above 250 ms of handicap and goes again only below 150 ms:
 * a delay that wanders around one threshold must not make it blink.
 */
const HANDICAP_NOTE_SHOW_MS = 250;
const HANDICAP_NOTE_HIDE_MS = 150;

/**
 * Keeps the previous object when nothing a render shows changed: the countdown itself is drawn per
 * frame by `drawCountdown`, so an open phase renders again only when its handicap changes.
 */
export function handicapNoteShown(shown: boolean, handicapMs: number): boolean {
  return shown ? handicapMs >= HANDICAP_NOTE_HIDE_MS : handicapMs > HANDICAP_NOTE_SHOW_MS;
}

function samePhase(prior: OverlayPhase, next: OverlayPhase): OverlayPhase {
  if (prior.kind !== next.kind) return next;
  if (prior.kind === 'open' && next.kind === 'open') {
    // The handicap is shown to a tenth of a second: a render per frame for its last digits is waste.
    const shown = (h: number) => Math.round(h / 100);
    return shown(prior.handicapMs) === shown(next.handicapMs) && shown(prior.windowMs) === shown(next.windowMs)
      ? prior
      : next;
  }
  if (prior.kind === 'result' && next.kind === 'result') return prior.result === next.result ? prior : next;
  if (prior.kind === 'voided' && next.kind === 'voided') return prior.reason === next.reason ? prior : next;
  return prior;
}
