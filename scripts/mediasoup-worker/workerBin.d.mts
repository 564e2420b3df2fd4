/** The mediasoup-worker to run: MEDIASOUP_WORKER_BIN, else the one build.sh cached for this mediasoup version. */
export function mediasoupWorkerBin(): string;
