import type { PlaybackMode } from './TableClientTypes.js';

/** The two pages, addressed by query string so that table-service can serve one static index. */
export type Route = { page: 'lobby' } | { page: 'table'; tableId: string; mode: PlaybackMode; measure: boolean };

const TABLE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function parseRoute(search: string): Route {
  const params = new URLSearchParams(search);
  const tableId = params.get('table');
  if (!tableId || !TABLE_ID.test(tableId)) return { page: 'lobby' };
  const mode: PlaybackMode = params.get('mode') === 'hls' ? 'hls' : 'webrtc';
  return { page: 'table', tableId, mode, measure: params.get('measure') === '1' };
}

export function routeHref(route: Route): string {
  if (route.page === 'lobby') return '/';
  const params = new URLSearchParams({ table: route.tableId, mode: route.mode });
  if (route.measure) params.set('measure', '1');
  return `/?${params.toString()}`;
}

/** Client-side navigation: pushes the URL and tells App to re-read it. */
export function navigate(route: Route, { replace = false } = {}): void {
  const href = routeHref(route);
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
