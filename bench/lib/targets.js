/**
 * Every target and every load size of the benchmark, in one place (STYLE.md: every limit
 * is a named option with its default in one place). Targets come from the issue
 * "Adversarial suite, crash safety and benchmarks"; never loosen one to make it pass.
 */
export const TARGETS = {
  /** Authenticated handshake rate / raw open+close rate, at least. */
  handshakeRateRatio: 0.5,
  /** Server CPU per handshake, at most raw + this many µs. */
  handshakeCpuExtraUs: 250,
  /** `status` round trip p50, at most raw echo + this many µs. */
  rpcP50ExtraUs: 15,
  /** RPC throughput / raw echo throughput, at least. */
  rpcThroughputRatio: 0.85,
  /** Heap per idle authenticated connection, at most raw + this many bytes. */
  heapExtraBytesPerConnection: 1.5 * 1024,
  /** Spawn to listening, at most `node -e 0` + this many ms. */
  coldStartExtraMs: 150,
  /** Event-loop delay p99 during the handshake storm, at most. */
  stormEventLoopP99Ms: 20,
  /** `special-agent --version`, spawn to exit, at most `node -e 0` + this many ms. */
  cliVersionExtraMs: 60,
  /** `special-agent devices list --json` against a running gateway, at most `node -e 0` + this many ms. */
  cliDevicesListExtraMs: 150,
  /** The first `npx special-agent --version` of a checkout (fresh npm cache), under; and it installs nothing. */
  npxFirstRunMs: 2000,
  /** `special-agent gateway run`, spawn to listening, at most `node -e 0` + this many ms. */
  cliGatewayRunExtraMs: 150,
  /** Control UI startup JavaScript, gzip, under (issue 16; scripts/ui-size.js enforces it at build). */
  uiStartupGzipBytes: 100 * 1024,
};

/** Load sizes: bounded in count and time so the whole run stays near two minutes. */
export const LOAD = {
  /** Alternating raw/gateway rounds of the wall-clock metrics; medians are reported. */
  rounds: 5,
  /** Devices paired before measuring (the storm uses one handshake per device). */
  devices: 200,
  pairConcurrency: 20,
  handshakeConcurrency: [1, 100],
  handshakeDurationMs: 1000,
  handshakeWarmupOps: 3,
  rpcWarmup: 300,
  rpcCount: 1500,
  throughputConnections: 4,
  throughputWindow: 32,
  throughputDurationMs: 1000,
  idleConnections: 2000,
  idleWarmup: 100,
  idleOpenConcurrency: 50,
  coldStartRuns: 5,
  /** Alternating `node -e 0`/CLI pairs per CLI row; runs of the first npx, each with a fresh npm cache. */
  cliRuns: 5,
  npxRuns: 3,
  stormHandshakes: 200,
  /** The whole run is killed after this long, so it can never hang a CI job. */
  watchdogMs: 270_000,
};
