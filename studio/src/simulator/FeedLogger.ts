/** The slice of a pino logger the simulator uses; pass `log.child({ tableId })`. */
export interface FeedLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: FeedLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
