import { type FormEvent, useState } from 'react';
import { playerBalance } from '../balance.js';
import { playerSession } from '../session.js';
import { useStore } from '../store.js';
import { formatMoney } from './money.js';
import { toViewerError } from '../viewerErrors.js';

/**
 * The smallest sign-in there can be: the casino streams a table only to a signed-in player (the
 * stream is bound to them, and their delay is measured for their bets). A fuller account page is
 * for a later change.
 */
export function SignIn({ title = 'Sign in to watch' }: { title?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    playerSession.signIn(username.trim(), password).then(
      () => setBusy(false),
      (err: unknown) => {
        const { code, message } = toViewerError(err);
        setBusy(false);
        setError(
          code === 'AUTH_BAD_CREDENTIALS'
            ? 'Wrong username or password.'
            : code === 'AUTH_ACCOUNT_LOCKED' || code === 'RATE_LIMITED'
              ? 'Too many attempts: wait a moment and try again.'
              : code === 'BAD_REQUEST'
                ? 'Enter your username and password.'
                : `Sign-in failed (${message}).`,
        );
      },
    );
  };

  return (
    <form className="sign-in" onSubmit={submit} aria-label="Sign in">
      <strong>{title}</strong>
      <label>
        <span>Username</span>
        <input
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
        />
      </label>
      <label>
        <span>Password</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <button type="submit" className="btn" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p className="sign-in-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Who is signed in and their balance, with a way out. */
export function SessionBadge({ name }: { name: string }) {
  const amount = useStore(playerBalance.store, (s) => s.amount);
  const currency = useStore(playerBalance.store, (s) => s.currency);
  return (
    <span className="session-badge">
      <span className="header-balance" title="Your balance" data-header-balance={amount ?? ''}>
        {formatMoney(amount, currency)}
      </span>
      <span className="muted">{name}</span>
      <button type="button" className="btn btn-ghost" onClick={() => playerSession.signOut()}>
        Sign out
      </button>
    </span>
  );
}
