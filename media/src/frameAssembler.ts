/**
 * RTP → whole video frames, pure and without I/O, for any payload format that marks a frame's
 * first packet and ends it with the marker bit (VP8, RFC 7741; H.264, RFC 6184). Packets may arrive
 * out of order: they are held by sequence number until a frame is complete (a frame start, the
 * marker bit, one timestamp, no sequence number missing in between). A gap that does not fill
 * within the reorder window is a loss: the frames around it are dropped, and so is every frame
 * after it until a keyframe, since an inter frame decoded without its reference is garbage. The
 * caller asks the sender for that keyframe when `push` reports `lost`. A decoder fed from here
 * therefore only ever sees whole frames, starting with a keyframe.
 */

import type { RtpHeader } from './rtp.js';

export interface AssembledFrame {
  rtpTimestamp: number;
  /** The codec's own bitstream (VP8 frame; H.264 access unit in Annex B). */
  data: Uint8Array;
  keyframe: boolean;
  /** Coded size, on keyframes when the format can tell. */
  width?: number;
  height?: number;
}

/** What the assembler needs to know of one codec's RTP payload format. */
export interface RtpPayloadFormat {
  /**
   * The packet's share of the frame's bytes, and whether it can only be a frame's first packet;
   * undefined for a payload that is not of this format (it is ignored). Never throws.
   */
  parse(payload: Uint8Array): { frameStart: boolean; data: Uint8Array } | undefined;
  frameInfo(frame: Uint8Array): { keyframe: boolean; width?: number; height?: number };
  /** True when a frame start can only be a frame's first packet (VP8); false when a frame may hold several (H.264 parameter sets before a slice). */
  readonly uniqueFrameStart: boolean;
}

export interface FrameAssemblerOptions {
  /** How long a sequence gap may wait for a late (reordered) packet before it counts as lost. */
  reorderWindowMs?: number;
  /** Packets held at most (a frame never needs more); beyond this everything is dropped as lost. */
  maxPackets?: number;
}

export interface PushResult {
  frames: AssembledFrame[];
  /** Packets were lost: frames were dropped and the decoder needs a keyframe. */
  lost: boolean;
}

interface Held {
  timestamp: number;
  marker: boolean;
  frameStart: boolean;
  data: Uint8Array;
}

export interface FrameAssemblerStats {
  packets: number;
  frames: number;
  framesDropped: number;
  losses: number;
}

export class RtpFrameAssembler {
  readonly #format: RtpPayloadFormat;
  readonly #reorderWindowMs: number;
  readonly #maxPackets: number;
  /** Extended (unwrapped) sequence number → packet. */
  readonly #held = new Map<number, Held>();
  /** The extended sequence number the next frame must start at; undefined before the first frame. */
  #next: number | undefined;
  #highest: number | undefined;
  /** Since when the packet at `#next` has been missing while later packets wait. */
  #gapSince: number | undefined;
  /** After a loss, nothing is emitted until a keyframe. */
  #needKeyframe = true;
  readonly stats: FrameAssemblerStats = { packets: 0, frames: 0, framesDropped: 0, losses: 0 };

  constructor(format: RtpPayloadFormat, opts: FrameAssemblerOptions = {}) {
    this.#format = format;
    this.#reorderWindowMs = opts.reorderWindowMs ?? 50;
    this.#maxPackets = opts.maxPackets ?? 2000;
  }

  /** True until a keyframe has been emitted (at the start and after every loss). */
  get waitingForKeyframe(): boolean {
    return this.#needKeyframe;
  }

  /** Forgets everything (a new stream): the next frame emitted will be a keyframe. */
  reset(): void {
    this.#held.clear();
    this.#next = undefined;
    this.#highest = undefined;
    this.#gapSince = undefined;
    this.#needKeyframe = true;
  }

  push(rtp: RtpHeader, packet: Uint8Array, nowMs: number): PushResult {
    const parsed = this.#format.parse(packet.subarray(rtp.payloadOffset, rtp.payloadEnd));
    const result: PushResult = { frames: [], lost: false };
    if (!parsed) return result;
    this.stats.packets++;
    const seq = this.#extend(rtp.sequenceNumber);
    // Already emitted (a duplicate or a retransmission too late to matter).
    if (this.#next !== undefined && seq < this.#next) return result;
    if (this.#held.size >= this.#maxPackets) {
      this.#lose(result);
      this.#held.clear();
      this.#next = undefined;
    }
    this.#held.set(seq, {
      timestamp: rtp.timestamp,
      marker: rtp.marker,
      frameStart: parsed.frameStart,
      data: parsed.data,
    });
    this.#drain(result, nowMs);
    return result;
  }

  #extend(seq16: number): number {
    if (this.#highest === undefined) {
      this.#highest = seq16 + 0x10000;
      return this.#highest;
    }
    const base = this.#highest - (this.#highest & 0xffff);
    let ext = base + seq16;
    // Pick the candidate nearest the highest seen (handles wrap both ways).
    if (ext - this.#highest > 0x8000) ext -= 0x10000;
    else if (this.#highest - ext > 0x8000) ext += 0x10000;
    if (ext > this.#highest) this.#highest = ext;
    return ext;
  }

  #drain(result: PushResult, nowMs: number): void {
    for (;;) {
      if (this.#next === undefined) {
        // The first frame: start at the oldest held frame start.
        const start = this.#oldestFrameStart();
        if (start === undefined) return;
        for (const seq of [...this.#held.keys()]) if (seq < start) this.#held.delete(seq);
        this.#next = start;
      }
      const frame = this.#completeFrameAt(this.#next);
      if (frame) {
        this.#gapSince = undefined;
        this.#next = frame.end + 1;
        this.#emit(frame.frame, result);
        continue;
      }
      // Nothing complete at `next`: a frame still arriving (wait), a sequence gap (wait a little for
      // a reordered packet, then call it lost), or a packet that cannot start a frame (lost).
      const head = this.#held.get(this.#next);
      const broken = head !== undefined && !head.frameStart;
      if (!broken) {
        if (!this.#hasGapFrom(this.#next)) {
          this.#gapSince = undefined;
          return;
        }
        this.#gapSince ??= nowMs;
        if (nowMs - this.#gapSince < this.#reorderWindowMs && this.#held.size < 512) return;
      }
      // Lost: skip to the next frame start after the gap.
      this.#lose(result);
      const restart = this.#oldestFrameStart(this.#next + 1);
      for (const seq of [...this.#held.keys()]) if (restart === undefined || seq < restart) this.#held.delete(seq);
      this.#gapSince = undefined;
      if (restart === undefined) {
        this.#next = undefined;
        return;
      }
      this.#next = restart;
    }
  }

  #lose(result: PushResult): void {
    result.lost = true;
    this.stats.losses++;
    this.#needKeyframe = true;
  }

  #oldestFrameStart(from = Number.NEGATIVE_INFINITY): number | undefined {
    let best: number | undefined;
    for (const [seq, p] of this.#held)
      if (p.frameStart && seq >= from && (best === undefined || seq < best)) best = seq;
    return best;
  }

  /** True when some sequence number between `from` and the newest held packet is missing. */
  #hasGapFrom(from: number): boolean {
    let newest = Number.NEGATIVE_INFINITY;
    for (const s of this.#held.keys()) if (s > newest) newest = s;
    for (let s = from; s <= newest; s++) if (!this.#held.has(s)) return true;
    return false;
  }

  #completeFrameAt(start: number): { frame: AssembledFrame; end: number } | undefined {
    const first = this.#held.get(start);
    if (!first?.frameStart) return undefined;
    const parts: Uint8Array[] = [];
    for (let seq = start; ; seq++) {
      const p = this.#held.get(seq);
      if (!p || p.timestamp !== first.timestamp) return undefined;
      if (seq !== start && p.frameStart && this.#format.uniqueFrameStart) return undefined;
      parts.push(p.data);
      if (p.marker) {
        const data = Buffer.concat(parts);
        for (let s = start; s <= seq; s++) this.#held.delete(s);
        return { frame: { rtpTimestamp: first.timestamp, data, ...this.#format.frameInfo(data) }, end: seq };
      }
      if (seq - start > 1000) return undefined;
    }
  }

  #emit(frame: AssembledFrame, result: PushResult): void {
    if (this.#needKeyframe && !frame.keyframe) {
      this.stats.framesDropped++;
      return;
    }
    this.#needKeyframe = false;
    this.stats.frames++;
    result.frames.push(frame);
  }
}
