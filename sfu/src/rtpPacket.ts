/**
 * Whether an RTP payload begins a keyframe (VP8 per RFC 7741, H.264 per RFC 6184), for the sfu's
 * own relays; the RTP header itself is read with protocol's `parseRtpHeader`. Pure, no I/O.
 */

/** True when a VP8 RTP payload is the first packet of a keyframe. */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0;
  const partitionId = b0 & 0x07;
  if (!start || partitionId !== 0) return false;
  let i = 1;
  if (b0 & 0x80) {
    const x = payload[i++];
    if (x === undefined) return false;
    if (x & 0x80) {
      const pic = payload[i++];
      if (pic === undefined) return false;
      if (pic & 0x80) i++;
    }
    if (x & 0x40) i++;
    if (x & 0x30) i++;
  }
  const header = payload[i];
  return header !== undefined && (header & 0x01) === 0;
}

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
