import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { CHAT_MAX_LENGTH, type ChatMessage, type ChatRole } from '@live-casino/protocol';
import { tableService } from '../api.js';
import {
  type ChatMuteState,
  ChatSession,
  compareMessageIds,
  MUTED_TEXT,
  type OutgoingChatMessage,
} from '../chat/ChatSession.js';
import { useStore } from '../store.js';
import { assertUnreachable } from '../viewerErrors.js';
import './chat.css';

/** The counter shows from this many characters left. */
const COUNTER_FROM_LEFT = 40;
/** Within this many pixels of the end the list counts as following the newest. */
const BOTTOM_SLACK_PX = 24;

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * The table's chat: the messages (the dealer and pit bosses marked), the player's own on the right
 * with their pending and failed states, and a line to write in. Reading only needs a session;
 * without one the panel asks to sign in.
 */
export function ChatPanel({ tableId, playerId }: { tableId: string; playerId: string | null }) {
  if (playerId === null) {
    return (
      <section className="chat" aria-label="Table chat" data-chat-table={tableId} data-signed-out="true">
        <ChatHeader connected={false} />
        <p className="chat-empty muted">Sign in to read and write in the chat.</p>
      </section>
    );
  }
  return <SignedInChat key={`${tableId}:${playerId}`} tableId={tableId} playerId={playerId} />;
}

function SignedInChat({ tableId, playerId }: { tableId: string; playerId: string }) {
  const [session, setSession] = useState<ChatSession | null>(null);
  useEffect(() => {
    const created = ChatSession.create({ client: tableService, tableId, playerId });
    setSession(created);
    return () => created.close();
  }, [tableId, playerId]);
  if (!session) {
    return (
      <section className="chat" aria-label="Table chat" data-chat-table={tableId}>
        <ChatHeader connected={false} />
        <p className="chat-empty muted">Loading the chat…</p>
      </section>
    );
  }
  return <ChatView session={session} />;
}

function ChatHeader({ connected }: { connected: boolean }) {
  return (
    <header className="chat-head">
      <h2>Table chat</h2>
      <span className={`chat-link ${connected ? 'is-up' : 'is-down'}`}>
        <span className="chat-link-dot" aria-hidden="true" />
        {connected ? 'Live' : 'Offline'}
      </span>
    </header>
  );
}

function ChatView({ session }: { session: ChatSession }) {
  const { playerId, tableId } = session;
  const messages = useStore(session.store, (s) => s.messages);
  const outbox = useStore(session.store, (s) => s.outbox);
  const load = useStore(session.store, (s) => s.load);
  const loadError = useStore(session.store, (s) => s.loadError);
  const hasEarlier = useStore(session.store, (s) => s.hasEarlier);
  const canLoadEarlier = useStore(session.store, (s) => s.canLoadEarlier);
  const loadingEarlier = useStore(session.store, (s) => s.loadingEarlier);
  const connected = useStore(session.store, (s) => s.connected);
  const mute = useStore(session.store, (s) => s.mute);

  const listRef = useRef<HTMLOListElement>(null);
  /** Whether the list follows the newest message (the reader has not scrolled up). */
  const followRef = useRef(true);
  /** The list's height and position before a page back was added above: kept where the reader was. */
  const anchorRef = useRef<{ height: number; top: number; firstId: string | undefined } | null>(null);
  const [following, setFollowing] = useState(true);
  const [seenId, setSeenId] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const newestId = messages.at(-1)?.messageId ?? null;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the outbox is content of the list too; the list sticks to its end when it grows
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const anchor = anchorRef.current;
    if (anchor && anchor.firstId !== messages[0]?.messageId) {
      anchorRef.current = null;
      list.scrollTop = anchor.top + (list.scrollHeight - anchor.height);
      return;
    }
    if (followRef.current) {
      list.scrollTop = list.scrollHeight;
      setSeenId(newestId);
    }
  }, [messages, outbox, newestId]);

  // New messages of others are read out politely; the player's own refusals too.
  useEffect(
    () =>
      session.observer.on('message', (m) => {
        if (m.author.id !== playerId) setAnnouncement(`${authorLabel(m)}: ${m.text}`);
      }),
    [session, playerId],
  );
  const failedIds = useRef(new Set<string>());
  useEffect(() => {
    const failed = outbox.filter((m) => m.status === 'failed');
    const fresh = failed.find((m) => !failedIds.current.has(m.clientMessageId));
    failedIds.current = new Set(failed.map((m) => m.clientMessageId));
    if (fresh) setAnnouncement(`Your message was not sent. ${fresh.error ?? ''}`);
  }, [outbox]);

  const onScroll = (): void => {
    const list = listRef.current;
    if (!list) return;
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight <= BOTTOM_SLACK_PX;
    followRef.current = atEnd;
    setFollowing(atEnd);
    if (atEnd) {
      setSeenId(newestId);
      session.trimToLatest();
    }
  };

  const toNewest = (): void => {
    const list = listRef.current;
    followRef.current = true;
    setFollowing(true);
    setSeenId(newestId);
    // At once, not smoothly: the scroll events of an animation would read as the reader scrolling up.
    if (list) list.scrollTop = list.scrollHeight;
  };

  const loadEarlier = (): void => {
    const list = listRef.current;
    if (list) anchorRef.current = { height: list.scrollHeight, top: list.scrollTop, firstId: messages[0]?.messageId };
    void session.loadEarlier();
  };

  const unread =
    following || seenId === null
      ? 0
      : messages.filter((m) => m.author.id !== playerId && compareMessageIds(m.messageId, seenId) > 0).length;

  return (
    <section className="chat" aria-label="Table chat" data-chat-table={tableId} data-connected={connected}>
      <ChatHeader connected={connected} />
      <div className="chat-body">
        <ol
          ref={listRef}
          className="chat-list"
          aria-label="Chat messages"
          onScroll={onScroll}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling list must take focus to scroll by keyboard
          tabIndex={0}
        >
          <li className="chat-edge">
            {hasEarlier ? (
              <button type="button" className="chat-earlier" onClick={loadEarlier} disabled={!canLoadEarlier}>
                {loadingEarlier ? 'Loading…' : 'Load earlier messages'}
              </button>
            ) : load === 'ready' && messages.length > 0 ? (
              <span className="muted small">Start of the chat</span>
            ) : null}
          </li>
          {messages.map((m) => (
            <StoredMessage key={m.messageId} message={m} own={m.author.id === playerId} />
          ))}
          {outbox.map((m) => (
            <OutgoingMessage
              key={m.clientMessageId}
              message={m}
              playerId={playerId}
              session={session}
              muted={mute !== null}
            />
          ))}
        </ol>
        {load === 'loading' && messages.length === 0 && <p className="chat-empty muted">Loading the chat…</p>}
        {load === 'ready' && messages.length === 0 && outbox.length === 0 && (
          <p className="chat-empty muted">No messages yet. Say hello to the table.</p>
        )}
        {load === 'failed' && (
          <div className="chat-empty chat-load-failed" role="alert">
            <span>{loadError ?? 'The chat could not be loaded'}</span>
            <button type="button" className="btn btn-ghost" onClick={() => void session.reload()}>
              Try again
            </button>
          </div>
        )}
        {unread > 0 && (
          <button type="button" className="chat-unread" onClick={toNewest} data-chat-unread={unread}>
            {unread === 1 ? '1 new message' : `${unread} new messages`} ↓
          </button>
        )}
      </div>
      <p className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
      <Compose
        session={session}
        connected={connected}
        mute={mute}
        onSent={() => {
          followRef.current = true;
          setFollowing(true);
        }}
      />
    </section>
  );
}

function StoredMessage({ message, own }: { message: ChatMessage; own: boolean }) {
  const role = message.author.role;
  return (
    <li
      className={`chat-msg chat-role-${role}${own ? ' chat-own' : ''}`}
      data-chat-message={message.messageId}
      data-client-message-id={message.clientMessageId}
      data-author={message.author.id}
      data-role={role}
      data-own={own || undefined}
    >
      <div className="chat-meta">
        <span className="chat-author">{own ? 'You' : message.author.displayName}</span>
        <RoleBadge role={role} />
        <time className="chat-time" dateTime={new Date(message.sentAtMs).toISOString()}>
          {TIME.format(message.sentAtMs)}
        </time>
      </div>
      <p className="chat-text">{message.text}</p>
    </li>
  );
}

function OutgoingMessage({
  message,
  playerId,
  session,
  muted,
}: {
  message: OutgoingChatMessage;
  playerId: string;
  session: ChatSession;
  muted: boolean;
}) {
  const pending = message.status === 'pending';
  const failed = message.status === 'failed';
  return (
    <li
      className={`chat-msg chat-role-player chat-own${pending ? ' is-pending' : ''}${failed ? ' is-failed' : ''}`}
      data-chat-message=""
      data-client-message-id={message.clientMessageId}
      data-author={playerId}
      data-role="player"
      data-own="true"
      data-pending={pending || undefined}
      data-failed={failed || undefined}
    >
      <div className="chat-meta">
        <span className="chat-author">You</span>
        <span className="chat-time">{pending ? 'Sending…' : 'Not sent'}</span>
      </div>
      <p className="chat-text">{message.text}</p>
      {failed && (
        <div className="chat-failure">
          <span className="chat-failure-reason">{message.error}</span>
          {message.retryable && (
            <button
              type="button"
              className="chat-action"
              disabled={muted}
              onClick={() => session.retry(message.clientMessageId)}
            >
              Retry
            </button>
          )}
          <button type="button" className="chat-action" onClick={() => session.dismiss(message.clientMessageId)}>
            Dismiss
          </button>
        </div>
      )}
    </li>
  );
}

function RoleBadge({ role }: { role: ChatRole }) {
  switch (role) {
    case 'player':
      return null;
    case 'dealer':
      return <span className="chat-badge chat-badge-dealer">Dealer</span>;
    case 'pitboss':
      return <span className="chat-badge chat-badge-pitboss">Pit boss</span>;
    default:
      return assertUnreachable(role);
  }
}

function authorLabel(m: ChatMessage): string {
  switch (m.author.role) {
    case 'player':
      return m.author.displayName;
    case 'dealer':
      return `${m.author.displayName} (dealer)`;
    case 'pitboss':
      return `${m.author.displayName} (pit boss)`;
    default:
      return assertUnreachable(m.author.role);
  }
}

function muteText(mute: ChatMuteState): string {
  const until = mute.endKnown ? ` until ${TIME.format(mute.untilMs)}` : '';
  return `${MUTED_TEXT}${until}${mute.reason ? `: ${mute.reason}` : ''}`;
}

function Compose({
  session,
  connected,
  mute,
  onSent,
}: {
  session: ChatSession;
  connected: boolean;
  mute: ChatMuteState | null;
  onSent: () => void;
}) {
  const [draft, setDraft] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const inputId = useId();
  const counterId = useId();
  const reasonId = useId();
  const blocked = mute ? muteText(mute) : connected ? null : 'Reconnecting to the table…';
  const length = draft.trim().length;
  const left = CHAT_MAX_LENGTH - length;
  const over = left < 0;

  const submit = (): void => {
    if (blocked || length === 0 || over) return;
    const result = session.send(draft);
    if (result.ok) {
      setDraft('');
      setRefusal(null);
      onSent();
    } else setRefusal(result.reason);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    // Enter that confirms an input method's composition is not a send.
    if (e.key === 'Enter' && e.nativeEvent.isComposing) e.preventDefault();
  };

  const reason = blocked ?? refusal ?? (over ? `Too long: at most ${CHAT_MAX_LENGTH} characters` : null);
  const describedBy = [left <= COUNTER_FROM_LEFT ? counterId : null, reason ? reasonId : null]
    .filter(Boolean)
    .join(' ');

  return (
    <form
      className="chat-compose"
      data-chat-blocked={mute ? 'muted' : connected ? undefined : 'disconnected'}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="chat-compose-row">
        <label htmlFor={inputId} className="sr-only">
          Message to the table
        </label>
        <input
          id={inputId}
          className="chat-input"
          type="text"
          autoComplete="off"
          enterKeyHint="send"
          placeholder={blocked ? 'Chat unavailable' : 'Say something to the table'}
          value={draft}
          disabled={blocked !== null}
          aria-invalid={over || undefined}
          aria-describedby={describedBy || undefined}
          onKeyDown={onKeyDown}
          onChange={(e) => {
            setDraft(e.target.value);
            setRefusal(null);
          }}
        />
        {left <= COUNTER_FROM_LEFT && (
          <span id={counterId} className="chat-counter" data-over={over || undefined}>
            <span aria-hidden="true">{left}</span>
            <span className="sr-only">{over ? `${-left} characters too many` : `${left} characters left`}</span>
          </span>
        )}
        <button type="submit" className="btn chat-send" disabled={blocked !== null || length === 0 || over}>
          Send
        </button>
      </div>
      {reason && (
        <p id={reasonId} className="chat-reason" role={blocked ? 'status' : undefined}>
          {reason}
        </p>
      )}
    </form>
  );
}
