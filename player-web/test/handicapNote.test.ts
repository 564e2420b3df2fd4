import { describe, expect, it } from 'vitest';
import { handicapNoteShown } from '../src/ui/BetOverlay.js';

describe('the "your video is behind" note', () => {
  it('shows above 250 ms and goes only below 150 ms, so a delay wandering around 250 ms does not make it blink', () => {
    const delays = [100, 240, 260, 240, 260, 200, 160, 149, 240, 251];
    const shown: boolean[] = [];
    let s = false;
    for (const d of delays) {
      s = handicapNoteShown(s, d);
      shown.push(s);
    }
    expect(shown).toEqual([false, false, true, true, true, true, true, false, false, true]);
  });
});
