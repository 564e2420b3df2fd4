import { describe, expect, it } from 'vitest';
import { parseShowinfo } from '../src/live/frames/showinfo.js';

describe('showinfo', () => {
  it('parses showinfo lines of ffmpeg 5.1 and nothing else', () => {
    const line =
      '[Parsed_showinfo_0 @ 0x55d1c3a0] n:  12 pts:    345 pts_time:0.345   duration:      1 pos:    23456 fmt:yuv420p sar:0/1 s:640x360 i:P iskey:0 type:P checksum:1A2B3C4D plane_checksum:[1 2 3] mean:[1 2 3] stdev:[1.0 2.0 3.0]';
    expect(parseShowinfo(line)).toEqual({ n: 12, pts: 345, width: 640, height: 360 });
    expect(parseShowinfo('[Parsed_showinfo_0 @ 0x1] config in time_base: 1/1000, frame_rate: 0/1')).toBeUndefined();
    expect(parseShowinfo('[Parsed_showinfo_0 @ 0x1]  color_range:unknown color_space:unknown')).toBeUndefined();
    expect(parseShowinfo('frame=  12 fps=0.0 q=-0.0 size=N/A')).toBeUndefined();
  });
});
