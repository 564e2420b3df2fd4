/** H.264 RTP payload format (RFC 6184): what a relay needs to find a keyframe. Pure, no I/O. */

/** True when an H.264 RTP payload carries (the start of) an IDR slice or an SPS. */
export function isH264KeyframeStart(payload: Uint8Array): boolean {
  const nal = payload[0];
  if (nal === undefined) return false;
  const type = nal & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    // STAP-A: 16-bit sizes followed by NAL units.
    let i = 1;
    while (i + 2 < payload.length) {
      const size = (payload[i]! << 8) | payload[i + 1]!;
      const inner = payload[i + 2]! & 0x1f;
      if (inner === 5 || inner === 7) return true;
      i += 2 + size;
    }
    return false;
  }
  if (type === 28) {
    const fu = payload[1];
    return fu !== undefined && (fu & 0x80) !== 0 && ((fu & 0x1f) === 5 || (fu & 0x1f) === 7);
  }
  return false;
}
