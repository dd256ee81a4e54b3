// npm run bench (or node dist/bench/media-gateway.bench.js [--calls 50,200,500] [--seconds 10]):
// N concurrent simulated Twilio media calls (20 ms frames, 50 a second each) through the media gateway to a local
// echo provider, against a one-hop echo server measured in the same run (the floor of this load harness).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { AppConfig } from '../src/config/app-config.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { Child, cpuSeconds, rssBytes, spawnNode } from './bench-processes.js';
import { machine, percentiles, round } from './support.js';

const DEMO_COMPANY_ID = '00000000-0000-4000-8000-000000000001';
const SESSION_SECRET = 'bench-session-token-secret-0123456789-abcdef';
const FRAME_BYTES = 160;
const FRAME_MS = 20;
let callCounter = Date.now() * 1000;

export interface MediaRunResult {
  target: 'gateway' | 'one_hop_echo';
  calls: number;
  frames_sent: number;
  frames_lost: number;
  latency_ms: { p50: number; p99: number; max: number };
  /** CPU of the server process (gateway or echo) as a share of one core, and per call. */
  cpu_percent_of_core: number;
  cpu_ms_per_call_second: number;
  /** Resident memory the calls added to the server process, per call. */
  memory_kb_per_call: number;
  /** The load harness's own CPU: near 100 % it, not the server, is the limit. */
  harness_cpu_percent_of_core: number;
  /** Gateway runs: the echo provider's CPU (the third process on the two cores). */
  echo_provider_cpu_percent_of_core?: number;
}

export interface MediaGatewayBenchResult {
  calls: number;
  gateway: MediaRunResult;
  one_hop_echo: MediaRunResult;
  /** Gateway p99 over the one-hop p99 in the same run: the target is ≤ 2. */
  p99_ratio: number;
}

interface Call {
  socket: WebSocket;
  streamSid: string;
  sentAt: Float64Array;
  received: number;
}

/** Runs N calls against `url` for `seconds`; latency is send → the same audio back, per frame. */
async function drive(
  url: string,
  calls: number,
  seconds: number,
  serverPid: number,
  target: MediaRunResult['target'],
  tokens?: StreamTokenService,
  providerPid?: number,
): Promise<MediaRunResult> {
  const framesPerCall = Math.round((seconds * 1000) / FRAME_MS);
  const latencies: number[] = [];
  const list: Call[] = [];
  const idleRss = rssBytes(serverPid);
  const PROBE = 0xffffffff;
  const ready: Promise<void>[] = [];
  for (let i = 0; i < calls; i++) {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const call: Call = { socket, streamSid: `MZ${String(i).padStart(32, '0')}`, sentAt: new Float64Array(framesPerCall), received: 0 };
    let probed: () => void = () => undefined;
    ready.push(new Promise<void>((resolve) => (probed = resolve)));
    socket.on('message', (data: Buffer) => {
      // String slicing instead of JSON.parse: the harness must cost as little as possible per frame.
      const text = data.toString('latin1');
      if (text.startsWith('{"event":"media"')) {
        const start = text.indexOf('"payload":"') + 11;
        const head = Buffer.from(text.slice(start, start + 12), 'base64');
        const frame = head.readUInt32LE(4);
        if (frame === PROBE) probed();
        else if (head.readUInt32LE(0) === i && frame < framesPerCall) {
          latencies.push(performance.now() - call.sentAt[frame]);
          call.received++;
        }
      } else if (text.startsWith('{"event":"mark"')) {
        // Twilio echoes a mark once the audio before it has played; here playback is instant.
        const start = text.indexOf('"name":"') + 8;
        socket.send(`{"event":"mark","streamSid":"${call.streamSid}","mark":{"name":"${text.slice(start, text.indexOf('"', start))}"}}`);
      }
    });
    await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)));
    const callSid = `CA${(++callCounter).toString(16).padStart(32, '0')}`;
    const token = tokens?.issue(callSid, DEMO_COMPANY_ID, 'media_stream', 600) ?? 'none';
    socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    socket.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid: call.streamSid,
        start: {
          accountSid: 'AC',
          streamSid: call.streamSid,
          callSid,
          tracks: ['inbound'],
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          customParameters: { token },
        },
      }),
    );
    // One probe frame per call: measuring starts once every call is bridged end to end.
    const probe = Buffer.alloc(FRAME_BYTES, 0xff);
    probe.writeUInt32LE(i, 0);
    probe.writeUInt32LE(PROBE, 4);
    socket.send(
      `{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"${probe.toString('base64')}"},"streamSid":"${call.streamSid}"}`,
    );
    list.push(call);
  }
  await Promise.all(ready);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const harnessBefore = process.cpuUsage();

  const cpuBefore = cpuSeconds(serverPid);
  const providerBefore = providerPid ? cpuSeconds(providerPid) : 0;
  const wallBefore = performance.now();
  let peakRss = rssBytes(serverPid);
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(serverPid))), 500);
  await Promise.all(
    list.map(
      (call, i) =>
        new Promise<void>((resolve) => {
          const payload = Buffer.alloc(FRAME_BYTES, 0xff);
          payload.writeUInt32LE(i, 0);
          let frame = 0;
          let sequence = 1;
          // Spread the calls over the 20 ms period, as real calls are.
          setTimeout(
            () => {
              const timer = setInterval(() => {
                if (frame >= framesPerCall || call.socket.readyState !== WebSocket.OPEN) {
                  clearInterval(timer);
                  resolve();
                  return;
                }
                payload.writeUInt32LE(frame, 4);
                call.sentAt[frame] = performance.now();
                call.socket.send(
                  `{"event":"media","sequenceNumber":"${++sequence}","media":{"track":"inbound","chunk":"${frame + 1}","timestamp":"${frame * FRAME_MS}","payload":"${payload.toString('base64')}"},"streamSid":"${call.streamSid}"}`,
                );
                frame++;
              }, FRAME_MS);
            },
            (i * FRAME_MS) / calls,
          );
        }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // stragglers
  clearInterval(rssTimer);
  const cpu = cpuSeconds(serverPid) - cpuBefore;
  const harness = process.cpuUsage(harnessBefore);
  const providerCpu = providerPid ? cpuSeconds(providerPid) - providerBefore : 0;
  const wall = (performance.now() - wallBefore) / 1000;
  for (const call of list) call.socket.close();
  const sent = list.reduce((sum, c) => sum + c.sentAt.filter((t) => t > 0).length, 0);
  const received = list.reduce((sum, c) => sum + c.received, 0);
  const p = percentiles(latencies);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    target,
    calls,
    frames_sent: sent,
    frames_lost: sent - received,
    latency_ms: { p50: round(p.p50, 2), p99: round(p.p99, 2), max: round(p.max, 2) },
    cpu_percent_of_core: round((cpu / wall) * 100, 1),
    cpu_ms_per_call_second: round((cpu * 1000) / (calls * wall), 3),
    memory_kb_per_call: round((peakRss - idleRss) / 1024 / calls, 1),
    harness_cpu_percent_of_core: round(((harness.user + harness.system) / 1e6 / wall) * 100, 1),
    ...(providerPid ? { echo_provider_cpu_percent_of_core: round((providerCpu / wall) * 100, 1) } : {}),
  };
}

export async function benchMediaGateway(options: { calls?: number[]; seconds?: number } = {}): Promise<MediaGatewayBenchResult[]> {
  const counts = options.calls ?? [50, 200, 500];
  const seconds = options.seconds ?? 10;
  const dataDir = mkdtempSync(join(tmpdir(), 'api-bench-media-'));
  const children: Child[] = [];
  try {
    const provider = await spawnNode('bench/echo-servers.js', ['--role', 'realtime-echo'], {});
    children.push(provider);
    const echo = await spawnNode('bench/echo-servers.js', ['--role', 'twilio-echo'], {});
    children.push(echo);
    const gateway = await spawnNode(
      'src/main.js',
      [],
      {
        NODE_ENV: 'development',
        LOG_LEVEL: 'error',
        DATA_DIR: dataDir,
        SESSION_TOKEN_SECRET: SESSION_SECRET,
        OPENAI_API_KEY: 'bench',
        OPENAI_BASE_URL: `http://127.0.0.1:${provider.port}/v1`,
        // Never Twilio: a call the gateway would transfer goes nowhere.
        TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
      },
      'http://127.0.0.1:PORT/health',
    );
    children.push(gateway);
    const tokens = new StreamTokenService({ sessionTokenSecret: SESSION_SECRET } as AppConfig);
    const results: MediaGatewayBenchResult[] = [];
    for (const calls of counts) {
      const floor = await drive(`ws://127.0.0.1:${echo.port}/`, calls, seconds, echo.process.pid!, 'one_hop_echo');
      const through = await drive(`ws://127.0.0.1:${gateway.port}/media-stream`, calls, seconds, gateway.process.pid!, 'gateway', tokens, provider.process.pid);
      results.push({ calls, gateway: through, one_hop_echo: floor, p99_ratio: round(through.latency_ms.p99 / Math.max(floor.latency_ms.p99, 0.001), 2) });
    }
    return results;
  } finally {
    for (const child of children.reverse()) await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { calls: { type: 'string' }, seconds: { type: 'string' } } });
  process.stdout.write(`media gateway benchmark on ${machine()}\n`);
  benchMediaGateway({ calls: values.calls?.split(',').map(Number), seconds: values.seconds ? Number(values.seconds) : undefined })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
