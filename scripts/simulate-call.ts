// Plays Twilio against a running API: npm run simulate:call -- --to +525512345678 [--say "..."]... [--media]
// Signs and posts the incoming-call webhook, follows the TwiML to the WebSocket, plays the caller and prints
// the conversation with its timings. Works against `npm start` on the embedded default with no keys.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { AppConfig } from '../src/config/app-config.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadDotEnv } from '../src/config/dot-env.js';
import { loadConfig } from '../src/config/load-config.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';

const USAGE = `usage: npm run simulate:call -- --to +525512345678 [--from +525500000001] [--say "text"]... [--media [--wav file.wav | --tone]] [--seconds 6]
         [--url http://127.0.0.1:3000] [--company <uuid>]`;
const DEMO_COMPANY_ID = '00000000-0000-4000-8000-000000000001';

type Frame = Record<string, unknown>;
const ms = (since: number): string => `${(performance.now() - since).toFixed(0)} ms`;
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

function xmlAttribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1]
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

interface ConnectPlan {
  kind: 'conversation_relay' | 'media_stream';
  url: string;
  token: string | undefined;
  greeting: string | undefined;
  action: string | undefined;
}

/** Reads the `<Connect>` TwiML the way Twilio would. */
function planFrom(twiml: string): ConnectPlan | null {
  const relay = /<ConversationRelay\b[^>]*>/.exec(twiml)?.[0];
  const stream = /<Stream\b[^>]*>/.exec(twiml)?.[0];
  const tag = relay ?? stream;
  if (!tag) return null;
  const parameter = /<Parameter\b[^>]*name="token"[^>]*>/.exec(twiml)?.[0];
  const connect = /<Connect\b[^>]*>/.exec(twiml)?.[0];
  return {
    kind: relay ? 'conversation_relay' : 'media_stream',
    url: xmlAttribute(tag, 'url') ?? '',
    token: parameter ? xmlAttribute(parameter, 'value') : undefined,
    greeting: relay ? xmlAttribute(relay, 'welcomeGreeting') : undefined,
    action: connect ? xmlAttribute(connect, 'action') : undefined,
  };
}

function linearToMulaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa);
  return magnitude & 0xff;
}

/** μ-law 8 kHz audio of the caller: a WAV file (μ-law, or 16-bit PCM at any rate), a 440 Hz tone, or silence. */
function callerAudio(options: { wav?: string; tone: boolean; seconds: number }): Buffer {
  if (options.wav) {
    const file = readFileSync(options.wav);
    if (file.toString('ascii', 0, 4) !== 'RIFF') return file; // raw .ul
    let offset = 12;
    let format = 0;
    let rate = 8000;
    let bits = 16;
    let channels = 1;
    while (offset + 8 <= file.length) {
      const id = file.toString('ascii', offset, offset + 4);
      const size = file.readUInt32LE(offset + 4);
      if (id === 'fmt ') {
        format = file.readUInt16LE(offset + 8);
        channels = file.readUInt16LE(offset + 10);
        rate = file.readUInt32LE(offset + 12);
        bits = file.readUInt16LE(offset + 22);
      } else if (id === 'data') {
        const data = file.subarray(offset + 8, offset + 8 + size);
        if (format === 7 && rate === 8000 && channels === 1) return data;
        if (format !== 1 || bits !== 16) throw new Error('--wav must be μ-law 8 kHz mono or 16-bit PCM');
        const frames = Math.floor(data.length / (2 * channels));
        const outLength = Math.floor((frames * 8000) / rate);
        const result = Buffer.alloc(outLength);
        for (let i = 0; i < outLength; i++) result[i] = linearToMulaw(data.readInt16LE(Math.floor((i * rate) / 8000) * 2 * channels));
        return result;
      }
      offset += 8 + size + (size % 2);
    }
    throw new Error(`${options.wav} has no data chunk`);
  }
  const samples = Math.round(options.seconds * 8000);
  const audio = Buffer.alloc(samples, 0xff);
  if (options.tone) for (let i = 0; i < samples; i++) audio[i] = linearToMulaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  return audio;
}

class Socket {
  readonly frames: Frame[] = [];
  private listeners: ((frame: Frame) => void)[] = [];
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      this.frames.push(frame);
      for (const listener of [...this.listeners]) listener(frame);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  send(frame: Frame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  on(listener: (frame: Frame) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      from: { type: 'string', default: '+525500000001' },
      say: { type: 'string', multiple: true },
      media: { type: 'boolean', default: false },
      wav: { type: 'string' },
      tone: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '6' },
      url: { type: 'string' },
      company: { type: 'string', default: DEMO_COMPANY_ID },
    },
  });
  if (!values.to) throw new Error(`--to is required\n${USAGE}`);
  loadDotEnv();
  const config = loadConfig();
  const server = (values.url ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
  const authToken = config.twilio.authToken;
  const callSid = `CA${randomBytes(16).toString('hex')}`;

  // 1. The incoming-call webhook, signed over PUBLIC_BASE_URL as Twilio signs it.
  const path = `/voice/incoming/${values.company}`;
  const params = {
    AccountSid: config.twilio.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: values.from!,
    To: values.to,
    Caller: values.from!,
    Called: values.to,
  };
  const started = performance.now();
  const response = await fetch(`${server}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(authToken, `${config.publicBaseUrl}${path}`, params),
    },
    body: new URLSearchParams(params),
  });
  const twiml = await response.text();
  out(`☎  ${values.from} → ${values.to}  CallSid ${callSid}`);
  out(`   POST ${path} → ${response.status} in ${ms(started)}`);
  if (response.status !== 200) throw new Error(`the webhook answered ${response.status}: ${twiml.slice(0, 300)}`);
  // Whatever happens next, Twilio ends the call with its final status callback; so does this script.
  const callback = (status: string, sequence: number, extra: Record<string, string> = {}): Promise<void> =>
    postStatusCallback(server, config, { ...params, CallStatus: status, CallbackSource: 'call-progress-events', SequenceNumber: String(sequence), ...extra });
  try {
    await converse(server, config, twiml, callSid, { ...values, to: values.to }, callback);
  } finally {
    const seconds = Math.max(1, Math.round((performance.now() - started) / 1000));
    await callback('completed', 2, { CallDuration: String(seconds) });
  }
  out(`   call ended after ${ms(started)}`);
}

type Values = { to: string; from: string; say?: string[]; media: boolean; wav?: string; tone: boolean; seconds: string };
type StatusCallback = (status: string, sequence: number, extra?: Record<string, string>) => Promise<void>;

/** Twilio's call status callback to PUBLIC_BASE_URL/voice/status, signed over that URL, as Twilio posts it. */
async function postStatusCallback(server: string, config: AppConfig, params: Record<string, string>): Promise<void> {
  const body = { ...params, Timestamp: new Date().toUTCString().replace('GMT', '+0000') };
  const response = await fetch(`${server}/voice/status`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(config.twilio.authToken, `${config.publicBaseUrl}/voice/status`, body),
    },
    body: new URLSearchParams(body),
  });
  out(`   POST /voice/status CallStatus=${params.CallStatus} → ${response.status}`);
  if (!response.ok) throw new Error(`the status callback answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

/** Follows the TwiML: the WebSocket conversation, then the <Connect action> callback. */
async function converse(server: string, config: AppConfig, twiml: string, callSid: string, values: Values, callback: StatusCallback): Promise<void> {
  const authToken = config.twilio.authToken;
  const plan = planFrom(twiml);
  if (!plan) {
    out(`   TwiML without <Connect>: ${twiml}`);
    return;
  }
  await callback('in-progress', 1);
  if (values.say && plan.kind === 'media_stream') out('   (--say is for ConversationRelay: on Media Streams the caller plays --wav, --tone or silence)');
  if (values.media && plan.kind !== 'media_stream')
    out('   (--media asked, but the company is served through ConversationRelay: no realtime provider or voice_path)');
  out(`   TwiML: <Connect><${plan.kind === 'media_stream' ? 'Stream' : 'ConversationRelay'} url="${plan.url}"> with a token`);

  // 2. The WebSocket, as Twilio opens it: signed over the wss:// URL, reached on the running server.
  const target = new URL(plan.url);
  const wsUrl = `${server.replace(/^http/, 'ws')}${target.pathname}`;
  const opened = performance.now();
  const ws = new WebSocket(wsUrl, { headers: { 'x-twilio-signature': signTwilioRequest(authToken, plan.url, {}) } });
  await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
  const socket = new Socket(ws);
  out(`   WebSocket ${target.pathname} open in ${ms(opened)}`);

  if (plan.kind === 'conversation_relay')
    await relayConversation(
      socket,
      plan,
      callSid,
      values.from!,
      values.to,
      values.say ?? ['¿Cuánto cuesta una limpieza dental?', 'Quiero hablar con una persona'],
      config.twilio.accountSid,
    );
  else await mediaConversation(socket, plan, callSid, callerAudio({ wav: values.wav, tone: values.tone, seconds: Number(values.seconds) }));

  // 3. Where Twilio goes next: the <Connect action> callback.
  if (plan.action) {
    const endFrame = socket.frames.find((f) => f.type === 'end');
    const actionParams: Record<string, string> = {
      AccountSid: config.twilio.accountSid,
      CallSid: callSid,
      CallStatus: 'in-progress',
      SessionStatus: endFrame ? 'ended' : 'completed',
    };
    if (endFrame?.handoffData) actionParams.HandoffData = String(endFrame.handoffData);
    const actionPath = new URL(plan.action).pathname;
    const action = await fetch(`${server}${actionPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(authToken, plan.action, actionParams) },
      body: new URLSearchParams(actionParams),
    });
    out(`   POST ${actionPath} → ${action.status}: ${(await action.text()).replace(/<\?xml[^>]*>/, '')}`);
  }
}

async function relayConversation(
  socket: Socket,
  plan: ConnectPlan,
  callSid: string,
  from: string,
  to: string,
  prompts: string[],
  accountSid: string,
): Promise<void> {
  socket.send({
    type: 'setup',
    sessionId: `VX${randomBytes(16).toString('hex')}`,
    accountSid,
    parentCallSid: '',
    callSid,
    from,
    to,
    forwardedFrom: '',
    callType: 'PSTN',
    callerName: '',
    direction: 'inbound',
    callStatus: 'RINGING',
    customParameters: { token: plan.token },
  });
  if (plan.greeting) out(`🤖 ${plan.greeting}   (welcomeGreeting, spoken by Twilio)`);
  for (const prompt of prompts) {
    out(`👤 ${prompt}`);
    const sent = performance.now();
    let first = 0;
    let text = '';
    const endFrame = await new Promise<Frame | null>((resolve) => {
      const off = socket.on((frame) => {
        if (frame.type === 'text') {
          if (!first && frame.token) first = performance.now() - sent;
          text += String(frame.token ?? '');
          if (frame.last === true) {
            off();
            resolve(null);
          }
        } else if (frame.type === 'end') {
          off();
          resolve(frame);
        }
      });
      void socket.closed.then(() => (off(), resolve(null)));
      socket.send({ type: 'prompt', voicePrompt: prompt, lang: 'es-MX', last: true });
    });
    if (text) out(`🤖 ${text.trim()}   (first token ${first.toFixed(0)} ms, answer ${ms(sent)})`);
    // A hand-off or goodbye follows the answer's last token.
    const ended =
      endFrame ??
      (await new Promise<Frame | null>((resolve) => {
        const timer = setTimeout(() => (off(), resolve(null)), 200);
        const off = socket.on((frame) => frame.type === 'end' && (clearTimeout(timer), off(), resolve(frame)));
      }));
    if (ended) {
      out(`   ⇢ end, handoffData ${String(ended.handoffData)}`);
      break;
    }
  }
  socket.ws.close();
  await socket.closed;
}

async function mediaConversation(socket: Socket, plan: ConnectPlan, callSid: string, audio: Buffer): Promise<void> {
  const streamSid = `MZ${randomBytes(16).toString('hex')}`;
  socket.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  socket.send({
    event: 'start',
    sequenceNumber: '1',
    streamSid,
    start: {
      accountSid: 'AC',
      streamSid,
      callSid,
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      customParameters: { token: plan.token },
    },
  });
  const started = performance.now();
  let received = 0;
  let firstAudio = 0;
  let clears = 0;
  socket.on((frame) => {
    if (frame.event === 'media') {
      received += Buffer.from(String((frame.media as { payload: string }).payload), 'base64').length;
      if (!firstAudio) firstAudio = performance.now() - started;
    } else if (frame.event === 'mark') {
      // Playback is instant here: echo the mark as Twilio does once the audio before it has played.
      socket.send({ event: 'mark', streamSid, mark: frame.mark as Frame });
    } else if (frame.event === 'clear') clears++;
  });
  let sequence = 1;
  for (let offset = 0, chunk = 1; offset < audio.length && socket.ws.readyState === WebSocket.OPEN; offset += 160, chunk++) {
    const payload = audio.subarray(offset, offset + 160).toString('base64');
    socket.send({
      event: 'media',
      sequenceNumber: String(++sequence),
      streamSid,
      media: { track: 'inbound', chunk: String(chunk), timestamp: String(chunk * 20), payload },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  out(`👤 ${(audio.length / 8000).toFixed(1)} s of caller audio sent`);
  out(
    `🤖 ${(received / 8000).toFixed(1)} s of agent audio received${firstAudio ? ` (first after ${firstAudio.toFixed(0)} ms)` : ''}, ${clears} barge-in clear(s)`,
  );
  socket.send({ event: 'stop', sequenceNumber: String(++sequence), streamSid, stop: { accountSid: 'AC', callSid } });
  const code = await Promise.race([socket.closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 2_000))]);
  if (code === -1) socket.ws.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
