import { ClientError, TableServiceClient } from '@live-casino/clients';
import { ViewerFailure } from './viewerErrors.js';

/**
 * The page's one client of table-service, on the page's own origin. Its renewal margin is the
 * default: GrantKeeper schedules grant refreshes with `renewAt`'s default too.
 */
export const tableService = new TableServiceClient({ baseUrl: '' });

/**
 * What a failed table-service call shows the viewer. The service's refusals keep their code; a
 * call that got no answer is the casino being unreachable; a 404 that is not the service's own
 * (a proxy without the route) reads as the table not being there; anything else is ours.
 */
export function tableServiceFailure(err: unknown): ViewerFailure {
  if (err instanceof ViewerFailure) return err;
  if (!(err instanceof ClientError)) {
    return new ViewerFailure('INTERNAL', err instanceof Error ? err.message : String(err));
  }
  switch (err.code) {
    case 'NETWORK_UNREACHABLE':
    case 'TIMEOUT':
      return new ViewerFailure('NETWORK_UNREACHABLE', err.message);
    case 'NOT_SIGNED_IN':
      return new ViewerFailure('AUTH_TOKEN_MISSING', 'sign in to watch');
    case 'BAD_RESPONSE':
      return new ViewerFailure(err.status === 404 ? 'TABLE_NOT_FOUND' : 'INTERNAL', err.message);
    default:
      return new ViewerFailure(err.code, err.message);
  }
}
