import { useEffect, useRef, useState } from 'react';
import { navigate, type Route, routeHref } from '../routing.js';
import { playerSession } from '../session.js';
import { useStore } from '../store.js';
import { formatStudioTime } from '../studioTime.js';
import { TableClient } from '../TableClient.js';
import type { PlaybackMode, ViewerStatus } from '../TableClientTypes.js';
import { setActiveClient } from '../viewerHook.js';
import { describeProblem, type ViewerError } from '../viewerErrors.js';
import type { TableSummary } from '@live-casino/protocol';
import type { BettingSession } from '../bets/BettingSession.js';
import { BetOverlay, useBettingSession } from './BetOverlay.js';
import { TableSidePanel } from './TableSidePanel.js';
import { gameLabel } from './GameIcon.js';
import { followLink } from './links.js';
import { LiveBadge } from './TableCard.js';
import { SignIn } from './SignIn.js';
import { useTables } from './useTables.js';

type TableRoute = Extract<Route, { page: 'table' }>;

export function TablePage({ route }: { route: TableRoute }) {
  const { state } = useTables(15_000);
  const summary = state.status === 'ready' ? state.tables.find((t) => t.tableId === route.tableId) : undefined;
  const setMode = (mode: PlaybackMode): void => navigate({ ...route, mode }, { replace: true });
  const signedIn = useStore(playerSession.store, (s) => s.player !== null);

  return (
    <section className="table-page">
      <div className="table-head">
        <a className="back" href="/" onClick={(e) => followLink(e, { page: 'lobby' })}>
          ← Lobby
        </a>
        <h1>{summary?.name ?? route.tableId}</h1>
        {summary && <span className="muted">{gameLabel(summary.game)}</span>}
        {summary && <LiveBadge live={summary.live} />}
      </div>
      {/* A new element per table and mode: no state of a torn-down player leaks into the next. */}
      {signedIn ? (
        <Player
          key={`${route.tableId}:${route.mode}:${route.measure}`}
          route={route}
          live={summary?.live}
          summary={summary}
          onMode={setMode}
        />
      ) : (
        <div className="player" data-signed-out="true">
          <SignIn />
        </div>
      )}
    </section>
  );
}

interface PlayerProps {
  route: TableRoute;
  /** The lobby's live flag, when known. */
  live: boolean | undefined;
  /** The table as the lobby lists it (game, limits, window), once loaded. */
  summary: TableSummary | undefined;
  onMode: (mode: PlaybackMode) => void;
}

function Player({ route, live, summary, onMode }: PlayerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [client, setClient] = useState<TableClient | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const created = TableClient.create({
      tableId: route.tableId,
      mode: route.mode,
      videoElement: video,
      measure: route.measure,
      // A session table-service refuses is forgotten here, and the page asks to sign in again.
      fetchGrant: (tableId) => playerSession.streamGrant(tableId),
    });
    setActiveClient(created);
    setClient(created);
    return () => {
      created.close();
      setActiveClient(null);
    };
  }, [route.tableId, route.mode, route.measure]);

  return (
    <div className="player">
      <div className="stage">
        <video ref={videoRef} className="stage-video" muted playsInline autoPlay disablePictureInPicture />
        {client && <StageOverlay client={client} live={live} onMode={onMode} />}
      </div>
      <div className="controls">
        <ModeToggle mode={route.mode} onMode={onMode} />
        {client && <SoundToggle client={client} />}
        {client && <StatusLine client={client} />}
      </div>
      {client && summary && <TableBetting client={client} summary={summary} />}
    </div>
  );
}

/** The bets under the video and, beside it, the chat, statistics and history of the same session. */
function TableBetting({ client, summary }: { client: TableClient; summary: TableSummary }) {
  const session = useBettingSession(client, summary.tableId);
  return session ? <TableBettingOf client={client} summary={summary} session={session} /> : null;
}

function TableBettingOf({
  client,
  summary,
  session,
}: {
  client: TableClient;
  summary: TableSummary;
  session: BettingSession;
}) {
  const playerId = useStore(playerSession.store, (s) => s.player?.playerId ?? null);
  const settledRoundId = useStore(session.store, (s) => (s.round?.state === 'SETTLED' ? s.round.roundId : null));
  const currency = useStore(session.store, (s) => s.currency) ?? summary.currency ?? 'EUR';
  const [lastSettled, setLastSettled] = useState<string | null>(null);
  useEffect(() => {
    if (settledRoundId) setLastSettled(settledRoundId);
  }, [settledRoundId]);
  return (
    <>
      <BetOverlay viewer={client} table={summary} session={session} />
      <TableSidePanel
        tableId={summary.tableId}
        game={summary.game}
        playerId={playerId}
        currency={currency}
        settledRoundId={lastSettled}
      />
    </>
  );
}

function ModeToggle({ mode, onMode }: { mode: PlaybackMode; onMode: (mode: PlaybackMode) => void }) {
  const options: { value: PlaybackMode; label: string; hint: string }[] = [
    { value: 'webrtc', label: 'WebRTC', hint: 'Sub-second delay' },
    { value: 'hls', label: 'HLS', hint: 'Works on any network, ~2 s delay' },
  ];
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Video delivery</legend>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={mode === o.value}
          data-mode={o.value}
          title={o.hint}
          className={mode === o.value ? 'on' : ''}
          onClick={() => mode !== o.value && onMode(o.value)}
        >
          {o.label}
        </button>
      ))}
    </fieldset>
  );
}

function SoundToggle({ client }: { client: TableClient }) {
  const muted = useStore(client.store, (s) => s.muted);
  return (
    <button type="button" className="btn btn-ghost" onClick={() => client.setMuted(!muted)} aria-pressed={!muted}>
      {muted ? 'Unmute' : 'Mute'}
    </button>
  );
}

const STATUS_LABEL: Record<ViewerStatus, string> = {
  idle: 'Idle',
  connecting: 'Connecting',
  playing: 'Live',
  reconnecting: 'Reconnecting',
  error: 'Stopped',
};

function StatusLine({ client }: { client: TableClient }) {
  const status = useStore(client.store, (s) => s.status);
  const delay = useStore(client.store, (s) => s.playoutDelayMs);
  const studio = useStore(client.store, (s) => s.lastStudioTimeMs);
  const bitrate = useStore(client.store, (s) => s.bitrateBps);
  return (
    <div className="status-line" data-status={status} aria-live="polite">
      <span className={`dot dot-${status}`} aria-hidden="true" />
      <span>{STATUS_LABEL[status]}</span>
      <span className="sep">·</span>
      <span>{client.mode === 'webrtc' ? 'WebRTC' : 'HLS'}</span>
      <span className="sep">·</span>
      <span title="Time from the studio camera to your screen">
        delay <b className="num">{delay === null ? '—' : `${Math.round(delay)} ms`}</b>
      </span>
      <span className="sep">·</span>
      <span title="Video received over the last seconds" data-bitrate={bitrate ?? ''}>
        <b className="num">{formatBitrate(bitrate)}</b>
      </span>
      <span className="sep">·</span>
      <span title="Studio time of the frame on screen (UTC)">
        studio <b className="num">{formatStudioTime(studio)}</b>
      </span>
    </div>
  );
}

function StageOverlay({
  client,
  live,
  onMode,
}: {
  client: TableClient;
  live: boolean | undefined;
  onMode: (mode: PlaybackMode) => void;
}) {
  const status = useStore(client.store, (s) => s.status);
  const reported = useStore(client.store, (s) => s.problem);
  // A cross-origin playlist error hides its status (it reads as a network failure); the lobby
  // knows better whether the table is on air.
  const problem: ViewerError | null =
    live === false && status !== 'playing' && status !== 'error' && reported?.code !== 'AUTOPLAY_BLOCKED'
      ? { code: 'TABLE_NOT_LIVE', message: 'the lobby lists this table as offline' }
      : reported;

  if (problem) {
    const view = describeProblem(problem, client.mode);
    if (view.action === 'tapToPlay') {
      return (
        <div className="overlay">
          <button type="button" className="tap-to-play" onClick={() => client.play()}>
            <span className="play-glyph" aria-hidden="true" />
            Tap to play
          </button>
        </div>
      );
    }
    return (
      <div className="overlay overlay-dim" role="alert" data-problem={problem.code}>
        <div className="problem">
          <strong>{view.title}</strong>
          <p>{view.detail}</p>
          {status !== 'error' && status !== 'playing' && problem.code !== 'TABLE_NOT_LIVE' && (
            <p className="muted small">{retryNote(status)}</p>
          )}
          {view.action === 'switchToHls' && (
            <button type="button" className="btn" onClick={() => onMode('hls')}>
              Switch to HLS
            </button>
          )}
          {view.action === 'retry' && (
            <button type="button" className="btn" onClick={() => client.retry()}>
              Try again now
            </button>
          )}
          {status === 'error' && view.action === 'none' && (
            <a className="btn" href={routeHref({ page: 'lobby' })} onClick={(e) => followLink(e, { page: 'lobby' })}>
              Back to the lobby
            </a>
          )}
        </div>
      </div>
    );
  }
  if (status === 'connecting' || status === 'reconnecting') {
    return (
      <div className="overlay">
        <div className="spinner-wrap">
          <span className="spinner" aria-hidden="true" />
          <span>{status === 'connecting' ? 'Connecting to the table…' : 'Reconnecting…'}</span>
        </div>
      </div>
    );
  }
  return null;
}

function retryNote(status: ViewerStatus): string {
  return status === 'reconnecting' ? 'Reconnecting automatically…' : 'Connecting…';
}

/** "1.8 Mbit/s", "640 kbit/s". */
function formatBitrate(bps: number | null): string {
  if (bps === null) return '— kbit/s';
  return bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(1)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`;
}
