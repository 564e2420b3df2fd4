import { type Static, Type } from '@sinclair/typebox';

/**
 * The auth wire contract of table-service: bodies and answers of sign-up, login and staff login,
 * shared by the service (which validates with them) and its clients.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const DISPLAY_NAME_MAX = 32;

/** Case-insensitive on the wire; stored lower case (players_username_format). */
export const Username = Type.String({ minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' });
export const NewPassword = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX });
export const Password = Type.String({ minLength: 1, maxLength: PASSWORD_MAX });
export const DisplayName = Type.String({ minLength: 1, maxLength: DISPLAY_NAME_MAX });

export const SignUpBody = Type.Object(
  { username: Username, password: NewPassword, displayName: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
export const LogInBody = Type.Object({ username: Username, password: Password }, { additionalProperties: false });
export const StaffLogInBody = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_.-]*$' }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const PlayerInfo = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  currency: Type.String(),
});
export const PlayerSession = Type.Object({
  token: Type.String(),
  /** Unix time in milliseconds. */
  expiresAt: Type.Integer(),
  player: PlayerInfo,
});
export const StaffSession = Type.Object({
  token: Type.String(),
  expiresAt: Type.Integer(),
  role: Type.Union([Type.Literal('dealer'), Type.Literal('pitboss'), Type.Literal('service')]),
  tableId: Type.Optional(Type.String()),
});
/** POST /v1/auth/refresh: the caller's session again, with a new token and end (same sign-in). */
export const RefreshedSession = Type.Object({ token: Type.String(), expiresAt: Type.Integer() });
export type RefreshedSession = Static<typeof RefreshedSession>;

export const Me = Type.Object({
  player: PlayerInfo,
  balance: Type.Object({ amount: Type.Integer({ description: 'minor units' }), currency: Type.String() }),
});

export type PlayerInfo = Static<typeof PlayerInfo>;
export type PlayerSession = Static<typeof PlayerSession>;
export type StaffSession = Static<typeof StaffSession>;
export type Me = Static<typeof Me>;
