import type { SessionHooks } from './TableClientTypes.js';

/**
 * Starts the element; autoplay refusals become a named problem the player can act on (a tap).
 * An AbortError only means a newer source replaced this one.
 */
export function playVideo(video: HTMLVideoElement, hooks: Pick<SessionHooks, 'autoplayBlocked'>): void {
  video.play().catch((err: unknown) => {
    if (err instanceof DOMException && err.name === 'NotAllowedError') hooks.autoplayBlocked();
  });
}
