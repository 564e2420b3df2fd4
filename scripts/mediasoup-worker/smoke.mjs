#!/usr/bin/env node
// Smoke test for a locally built mediasoup-worker:
//   MEDIASOUP_WORKER_BIN=<path> node scripts/mediasoup-worker/smoke.mjs
// Connects a real WebRTC peer (werift) over ICE + DTLS + SRTP on 127.0.0.1, then
// round-trips RTP through SRTP PlainTransports for every crypto suite.
// Exits 0 on success, 1 with a message on failure.
import { accessSync, constants } from 'node:fs';
import { runSrtpSuites, runWebRtcLoopback } from './webrtcLoopback.mjs';

const workerBin = process.env.MEDIASOUP_WORKER_BIN;
if (!workerBin) {
  console.error(
    'smoke: MEDIASOUP_WORKER_BIN is not set (export MEDIASOUP_WORKER_BIN="$(scripts/mediasoup-worker/build.sh | tail -n1)")',
  );
  process.exit(1);
}
try {
  accessSync(workerBin, constants.X_OK);
} catch {
  console.error(`smoke: ${workerBin} is not an executable file`);
  process.exit(1);
}

const started = Date.now();
try {
  const r = await runWebRtcLoopback({
    workerBin,
    timeoutMs: Number(process.env.SMOKE_TIMEOUT_MS ?? 20000),
    log: (msg) => console.log(`smoke: ${msg}`),
  });
  console.log(
    `smoke: OK in ${Date.now() - started} ms — ICE ${r.iceState}, DTLS ${r.dtlsState}, ` +
      `werift ${r.clientConnectionState}, RTP mediasoup->werift ${r.rtpServerToClient} pkt, ` +
      `werift->mediasoup ${r.rtpClientToServer} pkt`,
  );
  const suites = await runSrtpSuites({ workerBin, log: (msg) => console.log(`smoke: ${msg}`) });
  console.log(`smoke: SRTP suites OK: ${Object.keys(suites).join(', ')}`);
  process.exit(0);
} catch (error) {
  console.error(`smoke: FAILED: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
}
