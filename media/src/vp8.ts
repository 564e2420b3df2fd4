/**
 * VP8 RTP payload format (RFC 7741) and the frame tag (RFC 6386 9.1). Pure, no I/O.
 *
 * The studio's packetizer writes the 4-byte payload descriptor
 *   |X|R|N|S|R| PID |  |I|L|T|K| RSV |  |M| PictureID (15 bits)        |
 * with X=1, I=1 and a 15-bit PictureID that increments per frame: receivers (and the SFU's
 * keyframe/loss logic) use the PictureID to tell frames apart across losses.
 */

import type { RtpPayloadFormat } from './frameAssembler.js';

export const VP8_DESCRIPTOR_SIZE = 4;
export const PICTURE_ID_MODULO = 0x8000;

/**
 * Splits one encoded frame into RTP payloads of at most `maxPayloadSize` bytes (descriptor
 * included), in balanced fragments as libwebrtc does, so that no runt packet trails a frame.
 * Partitions are not tracked: every packet has PID 0, and S=1 marks only the frame's first.
 */
export function packetizeVp8(frame: Uint8Array, pictureId: number, maxPayloadSize: number): Buffer[][] {
  if (frame.length === 0) throw new RangeError('empty VP8 frame');
  const maxFragment = maxPayloadSize - VP8_DESCRIPTOR_SIZE;
  if (maxFragment < 1) throw new RangeError(`payload size ${maxPayloadSize} leaves no room for VP8 data`);
  const count = Math.ceil(frame.length / maxFragment);
  const fragment = Math.ceil(frame.length / count);
  const id = pictureId % PICTURE_ID_MODULO;
  const payloads: Buffer[][] = [];
  for (let i = 0, offset = 0; i < count; i++, offset += fragment) {
    const descriptor = Buffer.allocUnsafe(VP8_DESCRIPTOR_SIZE);
    descriptor[0] = 0x80 | (i === 0 ? 0x10 : 0);
    descriptor[1] = 0x80;
    descriptor[2] = 0x80 | (id >> 8);
    descriptor[3] = id & 0xff;
    const end = Math.min(frame.length, offset + fragment);
    payloads.push([descriptor, Buffer.from(frame.buffer, frame.byteOffset + offset, end - offset)]);
  }
  return payloads;
}

/** A VP8 frame is a key frame when bit 0 of its first byte (the inverse key-frame flag) is 0. */
export function isVp8KeyFrame(frame: Uint8Array): boolean {
  return frame.length > 0 && ((frame[0] as number) & 0x01) === 0;
}

/** Keyframe flag and, for keyframes, the coded size (RFC 6386 9.1: start code 9d 01 2a, then 14-bit sizes). */
export function vp8FrameInfo(frame: Uint8Array): { keyframe: boolean; width?: number; height?: number } {
  if (!isVp8KeyFrame(frame)) return { keyframe: false };
  if (frame.length < 10 || frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return { keyframe: false };
  return {
    keyframe: true,
    width: (frame[6]! | (frame[7]! << 8)) & 0x3fff,
    height: (frame[8]! | (frame[9]! << 8)) & 0x3fff,
  };
}

export interface Vp8PayloadDescriptor {
  readonly nonReference: boolean;
  readonly startOfPartition: boolean;
  readonly partitionIndex: number;
  readonly pictureId: number | null;
  readonly tl0PicIdx: number | null;
  readonly temporalLayer: number | null;
  readonly layerSync: boolean;
  readonly keyIndex: number | null;
  /** Bytes of descriptor before the VP8 data. */
  readonly size: number;
}

/**
 * The payload descriptor of any RFC 7741 packet (all optional fields), or undefined when the
 * payload is truncated or holds no VP8 data after it. Receivers call it for every packet: no throw.
 */
export function parseVp8PayloadDescriptor(payload: Uint8Array): Vp8PayloadDescriptor | undefined {
  const b0 = payload[0];
  if (b0 === undefined) return undefined;
  let size = 1;
  let pictureId: number | null = null;
  let tl0PicIdx: number | null = null;
  let temporalLayer: number | null = null;
  let layerSync = false;
  let keyIndex: number | null = null;
  if (b0 & 0x80) {
    const x = payload[size++];
    if (x === undefined) return undefined;
    if (x & 0x80) {
      const p = payload[size++];
      if (p === undefined) return undefined;
      if (p & 0x80) {
        const low = payload[size++];
        if (low === undefined) return undefined;
        pictureId = ((p & 0x7f) << 8) | low;
      } else {
        pictureId = p & 0x7f;
      }
    }
    if (x & 0x40) {
      const tl0 = payload[size++];
      if (tl0 === undefined) return undefined;
      tl0PicIdx = tl0;
    }
    if (x & 0x30) {
      const tk = payload[size++];
      if (tk === undefined) return undefined;
      if (x & 0x20) {
        temporalLayer = tk >> 6;
        layerSync = (tk & 0x20) !== 0;
      }
      if (x & 0x10) keyIndex = tk & 0x1f;
    }
  }
  if (payload.length <= size) return undefined;
  return {
    nonReference: (b0 & 0x20) !== 0,
    startOfPartition: (b0 & 0x10) !== 0,
    partitionIndex: b0 & 0x07,
    pictureId,
    tl0PicIdx,
    temporalLayer,
    layerSync,
    keyIndex,
    size,
  };
}

/** True when a VP8 RTP payload starts a frame: S=1 and partition 0 (RFC 7741 4.2). */
export function isVp8FrameStart(descriptor: Vp8PayloadDescriptor): boolean {
  return descriptor.startOfPartition && descriptor.partitionIndex === 0;
}

/** True when a VP8 RTP payload is the first packet of a keyframe. */
export function isVp8KeyframeStart(payload: Uint8Array): boolean {
  const descriptor = parseVp8PayloadDescriptor(payload);
  return descriptor !== undefined && isVp8FrameStart(descriptor) && (payload[descriptor.size]! & 0x01) === 0;
}

/** VP8 for `RtpFrameAssembler`: a frame starts at S=1, partition 0; keyframes carry their size. */
export const VP8_PAYLOAD_FORMAT: RtpPayloadFormat = {
  parse(payload) {
    const descriptor = parseVp8PayloadDescriptor(payload);
    if (!descriptor) return undefined;
    return { frameStart: isVp8FrameStart(descriptor), data: payload.subarray(descriptor.size) };
  },
  frameInfo: vp8FrameInfo,
  uniqueFrameStart: true,
};
