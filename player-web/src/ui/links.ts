import type { MouseEvent } from 'react';
import { navigate, type Route } from '../routing.js';

/** Plain links that navigate without a reload (and still open in a new tab with a modifier). */
export function followLink(event: MouseEvent<HTMLAnchorElement>, route: Route): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(route);
}
