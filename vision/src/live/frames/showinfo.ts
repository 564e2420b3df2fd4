/** ffmpeg's `showinfo` filter logs each decoded picture's pts: how the vision decoder matches its output. Pure. */

/** `pts` and size of a `showinfo` line of ffmpeg's log, or undefined for any other line. */
export function parseShowinfo(line: string): { n: number; pts: number; width: number; height: number } | undefined {
  if (!line.includes('Parsed_showinfo')) return undefined;
  const m = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\b.*?\bs:(\d+)x(\d+)\b/.exec(line);
  if (!m) return undefined;
  return { n: Number(m[1]), pts: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
}
