/** H.264 RTP payload format (RFC 6184): keyframes and access units from RTP. Pure, no I/O. */

import type { RtpPayloadFormat } from './frameAssembler.js';

const START_CODE = Uint8Array.of(0, 0, 0, 1);
const NAL_SLICE = 1;
const NAL_IDR = 5;

/**
 * True when a slice's RBSP starts with first_mb_in_slice = 0 (ue(v) 0 is the single bit 1): the
 * first slice of a picture.
 */
function firstSliceOfPicture(type: number, firstRbspByte: number | undefined): boolean {
  return (type === NAL_SLICE || type === NAL_IDR) && firstRbspByte !== undefined && (firstRbspByte & 0x80) !== 0;
}

/** NAL types that can only come before a picture's first slice: SEI, SPS, PPS, access unit delimiter. */
function opensAccessUnit(type: number): boolean {
  return type === 6 || type === 7 || type === 8 || type === 9;
}

/**
 * One H.264 RTP payload (packetization mode 1: single NAL unit, STAP-A, FU-A) as Annex B bytes,
 * and whether it opens an access unit; undefined for what mode 1 does not use or a truncated
 * payload. Pure; never throws.
 */
export function depacketizeH264(payload: Uint8Array): { frameStart: boolean; data: Uint8Array } | undefined {
  const header = payload[0];
  if (header === undefined || (header & 0x80) !== 0) return undefined;
  const type = header & 0x1f;
  if (type >= 1 && type <= 23) {
    return {
      frameStart: opensAccessUnit(type) || firstSliceOfPicture(type, payload[1]),
      data: Buffer.concat([START_CODE, payload]),
    };
  }
  if (type === 24) {
    const parts: Uint8Array[] = [];
    let frameStart = false;
    let i = 1;
    while (i < payload.length) {
      if (i + 2 > payload.length) return undefined;
      const size = (payload[i]! << 8) | payload[i + 1]!;
      const nal = payload.subarray(i + 2, i + 2 + size);
      if (size === 0 || nal.length !== size) return undefined;
      if (parts.length === 0) {
        const t = nal[0]! & 0x1f;
        frameStart = opensAccessUnit(t) || firstSliceOfPicture(t, nal[1]);
      }
      parts.push(START_CODE, nal);
      i += 2 + size;
    }
    return parts.length > 0 ? { frameStart, data: Buffer.concat(parts) } : undefined;
  }
  if (type === 28) {
    const fu = payload[1];
    if (fu === undefined || payload.length < 3) return undefined;
    const inner = fu & 0x1f;
    if ((fu & 0x80) === 0) return { frameStart: false, data: payload.subarray(2) };
    return {
      frameStart: opensAccessUnit(inner) || firstSliceOfPicture(inner, payload[2]),
      data: Buffer.concat([START_CODE, Uint8Array.of((header & 0xe0) | inner), payload.subarray(2)]),
    };
  }
  return undefined;
}

/** True when an Annex B access unit holds an IDR slice. */
export function isH264Keyframe(accessUnit: Uint8Array): boolean {
  for (let i = 0; i + 3 < accessUnit.length; i++) {
    if (accessUnit[i] === 0 && accessUnit[i + 1] === 0 && accessUnit[i + 2] === 1) {
      if ((accessUnit[i + 3]! & 0x1f) === NAL_IDR) return true;
      i += 2;
    }
  }
  return false;
}

/** H.264 for `RtpFrameAssembler`: Annex B access units, keyframe = holds an IDR slice. */
export const H264_PAYLOAD_FORMAT: RtpPayloadFormat = {
  parse: depacketizeH264,
  frameInfo: (frame) => ({ keyframe: isH264Keyframe(frame) }),
  uniqueFrameStart: false,
};
