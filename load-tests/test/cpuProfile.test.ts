import { describe, expect, it } from 'vitest';
import { summarizeCpuProfile } from '../src/stats/cpuProfile.js';

describe('summarizeCpuProfile', () => {
  it('ranks self time by function and by package, idle included', () => {
    const frame = (id: number, functionName: string, url: string) => ({
      id,
      callFrame: { functionName, url, lineNumber: 9 },
    });
    const profile = {
      nodes: [
        frame(1, '(idle)', ''),
        frame(2, 'writev', ''),
        frame(3, 'place', 'file:///repo/table-service/src/bets/BetIntake.ts'),
        frame(4, 'encode', 'file:///repo/node_modules/socket.io-parser/build/cjs/index.js'),
      ],
      samples: [1, 2, 3, 3, 3, 4, 4, 1, 1],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    };
    const s = summarizeCpuProfile(profile, 3);
    expect(s.totalMs).toBe(9);
    expect(s.byFunction[0]).toEqual({ name: '(idle)', ms: 3, share: 33.3 });
    expect(s.byFunction).toHaveLength(3);
    expect(s.byArea.map((a) => [a.name, a.ms])).toEqual([
      ['(idle)', 3],
      ['table-service/src', 3],
      ['socket.io-parser', 2],
    ]);
  });
});
