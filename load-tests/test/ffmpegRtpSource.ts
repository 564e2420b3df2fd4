import { type ChildProcess, spawn } from 'node:child_process';

export interface FfmpegRtpSource {
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A synthetic VP8 camera: ffmpeg's test pattern as RTP to an sfu ingest port. ssrc and payload type
 * match sfu/test/helpers.ts VP8_INGEST. No RTCP: ffmpeg sends it from a second socket, and its
 * first sender report would win the comedia ingest's tuple (the sfu then ignores the RTP socket).
 */
export function startFfmpegRtpSource(opts: {
  ip: string;
  port: number;
  ssrc?: number;
  payloadType?: number;
}): FfmpegRtpSource {
  const url = `rtp://${opts.ip}:${opts.port}?pkt_size=1200`;
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', process.env.FFMPEG_LOGLEVEL ?? 'error', '-nostdin', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30'],
      ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '30'],
      ...[
        '-f',
        'rtp',
        '-rtpflags',
        'skip_rtcp',
        '-ssrc',
        String(opts.ssrc ?? 1111),
        '-payload_type',
        String(opts.payloadType ?? 96),
        url,
      ],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  let stopping = false;
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
    if (process.env.FFMPEG_LOGLEVEL) process.stderr.write(chunk);
  });
  child.once('exit', (code, signal) => {
    if (code && signal === null && !stopping) process.stderr.write(`ffmpeg exited with ${code}: ${stderr}\n`);
  });
  return {
    process: child,
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
