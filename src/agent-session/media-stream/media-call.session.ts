import { AsyncResource } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { bindLogContext } from '../../logging/log-context.js';
import type { WebSocket } from 'ws';
import type { RealtimeRateCard } from '../../config/app-config.js';
import type { AgentProfileSource } from '../agent-profile.source.js';
import type { AgentSessionRepository, TurnLatency } from '../agent-session.repository.js';
import type { CallContext, StreamIdentity } from '../call-context.js';
import type { CallControlService } from '../call-control.service.js';
import type { MetricsService } from '../../metrics/metrics.service.js';
import { CallRecorder } from '../call-recorder.js';
import type { LiveCall, LiveCallRegistry } from '../live-calls.registry.js';
import type { RealtimeConnection, RealtimeServerEvent, RealtimeVoiceProvider } from '../realtime/realtime-voice.provider.js';
import { priceRealtimeUsage, RealtimeUsage } from '../realtime/realtime-usage.js';
import { StreamAdmissionService, StreamRejectedError } from '../stream-admission.service.js';
import { CLOSE, closeSocket, FIRST_MESSAGE_TIMEOUT_MS, MAX_UNADMITTED_BYTES, sendText, sendTextPair } from '../ws-frames.js';
import { PlaybackTracker } from './playback-tracker.js';
import { Awaiting, PROVIDER_SILENCE_MS, ProviderSilenceWatchdog } from './provider-silence.js';
import { realtimeSessionConfig } from './realtime-instructions.js';

export interface MediaDeps {
  admission: StreamAdmissionService;
  provider: RealtimeVoiceProvider;
  calls: LiveCallRegistry;
  repository: AgentSessionRepository;
  profiles: AgentProfileSource;
  control: CallControlService;
  rates: RealtimeRateCard;
  metrics: MetricsService;
}

/** How long a goodbye or a "let me transfer you" may play before the call changes. */
const PLAYBACK_WAIT_MS = 6_000;

interface ResponseState {
  latency: TurnLatency | null;
  transcript: string;
  interrupted: boolean;
}

/**
 * One Media Streams call bridged to a speech-to-speech provider: caller audio in, model audio out as `media` +
 * `mark` on the stream, barge-in (`clear` + truncate at what was heard), tools, transcript, usage. Every exit path
 * (stop, socket close or error, provider loss, shutdown) goes through `cleanup`.
 */
export class MediaCallSession implements LiveCall {
  private readonly logger = new Logger('MediaStream');
  readonly kind = 'media_stream' as const;

  get stream(): StreamIdentity | undefined {
    return this.context?.stream;
  }
  callSid = '';
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private streamSidJson = '';
  private context: CallContext | null = null;
  private recorder: CallRecorder | null = null;
  private provider: RealtimeConnection | null = null;
  /** Caller audio kept while the token is checked, within MAX_UNADMITTED_BYTES (a stranger's socket buffers little). */
  private pending: string[] | null = [];
  private pendingBytes = 0;
  private readonly playback = new PlaybackTracker();
  private readonly responses = new Map<string, ResponseState>();
  private speechStoppedAt = 0;
  private cutItemId: string | null = null;
  private admitting = false;
  private ending = false;
  private ended = false;
  private readonly startTimer: NodeJS.Timeout;
  private readonly silence = new ProviderSilenceWatchdog(PROVIDER_SILENCE_MS, (awaited) => this.providerSilent(awaited));

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: MediaDeps,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.startTimer = setTimeout(() => this.reject('no start message'), FIRST_MESSAGE_TIMEOUT_MS);
    // Bound to the socket's log context (the gateway creates the session in it): the closing lines carry the call SID.
    socket.on(
      'close',
      AsyncResource.bind(() => void this.cleanup('socket_closed')),
    );
    socket.on(
      'error',
      AsyncResource.bind(() => void this.cleanup('socket_error')),
    );
  }

  /** A parsed Twilio frame (null: not a JSON object). */
  handle(message: Record<string, unknown> | null): void {
    if (message === null || this.ended) return;
    const event = message.event;
    if (event === 'media') {
      const payload = (message.media as { payload?: unknown } | undefined)?.payload;
      if (typeof payload === 'string') this.audioIn(payload);
      return;
    }
    switch (event) {
      case 'mark': {
        const name = (message.mark as { name?: unknown } | undefined)?.name;
        if (typeof name === 'string') this.markPlayed(name);
        return;
      }
      case 'start':
        if (!this.admitting && !this.context) void this.start(message);
        return;
      case 'dtmf':
        this.dtmf((message.dtmf as { digit?: unknown } | undefined)?.digit);
        return;
      case 'stop':
        closeSocket(this.socket, CLOSE.normal, 'stopped');
        void this.cleanup('stop');
        return;
      default:
        return; // connected, and events Twilio adds later
    }
  }

  /** Caller audio (base64 μ-law): to the provider, or kept while the stream is being admitted. The hot path. */
  audioIn(payload: string): void {
    if (this.provider) this.provider.appendAudio(payload);
    else if (this.pending && this.pendingBytes + payload.length <= MAX_UNADMITTED_BYTES) {
      this.pending.push(payload);
      this.pendingBytes += payload.length;
    }
  }

  /** Twilio echoed a mark: the audio sent before it has played. */
  markPlayed(name: string): void {
    if (!this.ended) this.playback.echoed(name);
  }

  private async start(message: Record<string, unknown>): Promise<void> {
    this.admitting = true;
    clearTimeout(this.startTimer);
    const start = (message.start ?? {}) as Record<string, unknown>;
    const streamSid = start.streamSid ?? message.streamSid;
    if (typeof streamSid !== 'string') return this.reject('start without streamSid');
    try {
      this.context = await this.deps.admission.admit('media_stream', (start.customParameters as Record<string, unknown> | undefined)?.token, start.callSid);
    } catch (error) {
      return this.reject(error instanceof StreamRejectedError ? error.reason : 'start failed');
    }
    if (this.ended) return;
    this.callSid = this.context.call_sid;
    bindLogContext({ call_sid: this.callSid, company_id: this.context.company_id });
    this.streamSidJson = JSON.stringify(streamSid);
    this.recorder = new CallRecorder(this.deps.repository, this.context, { service: this.deps.metrics, brain: 'realtime' });
    this.deps.calls.add(this)?.terminate('replaced by a newer stream of the same call');
    // A newer stream of this call was claimed on another instance first: this one was closed at once.
    if (this.ended) return;
    if (!this.deps.provider.configured) {
      // Telephony should have chosen ConversationRelay (effectiveVoicePath); a stale TwiML still must not leave silence.
      this.logger.warn({ event: 'media_without_provider', call_sid: this.callSid }, 'No realtime provider: handing the call over');
      return this.rescue('no realtime provider configured');
    }
    this.provider = this.deps.provider.connect(realtimeSessionConfig(this.context), {
      onEvent: (event) => this.onProviderEvent(event),
      onClose: (info) => {
        if (!info.expected && !this.ended) {
          this.logger.warn({ event: 'realtime_dropped', call_sid: this.callSid, code: info.code }, 'The realtime provider dropped mid-call');
          void this.rescue('realtime provider dropped');
        }
      },
    });
    const greeting = this.context.profile.greeting;
    if (greeting) {
      this.provider.send({ type: 'response.create', response: { instructions: `Greet the caller with exactly these words: ${greeting}` } });
    }
    // From here the caller waits: for the greeting, or (without one) at least for the session to open.
    this.silence.expect(greeting ? 'answer' : 'any_event');
    for (const payload of this.pending ?? []) this.provider.appendAudio(payload);
    this.pending = null;
    this.logger.log({ event: 'media_started', call_sid: this.callSid, company_id: this.context.company_id }, 'Media stream bridged to the realtime provider');
  }

  private onProviderEvent(event: RealtimeServerEvent): void {
    const type = event.type;
    this.silence.heard(type === 'response.output_audio.delta' || type === 'response.done' || type === 'response.function_call_arguments.done');
    switch (type) {
      case 'response.output_audio.delta':
        return this.audioOut(event);
      case 'input_audio_buffer.speech_started':
        this.silence.stop(); // the caller speaks: nobody waits for the model now
        return this.bargeIn();
      case 'input_audio_buffer.speech_stopped':
        this.speechStoppedAt = Date.now();
        if (!this.ending) this.silence.expect('answer');
        return;
      case 'response.created': {
        const id = (event.response as { id?: string } | undefined)?.id;
        if (id) this.responses.set(id, { latency: null, transcript: '', interrupted: false });
        return;
      }
      case 'response.output_audio_transcript.done': {
        const state = this.responses.get(String(event.response_id));
        if (state && typeof event.transcript === 'string') state.transcript += event.transcript;
        return;
      }
      case 'conversation.item.input_audio_transcription.completed':
        if (typeof event.transcript === 'string') this.recorder?.transcript({ role: 'caller', text: event.transcript });
        return;
      case 'response.function_call_arguments.done':
        void this.runTool(String(event.name), String(event.call_id), typeof event.arguments === 'string' ? event.arguments : '{}');
        return;
      case 'response.done':
        return this.responseDone(event.response as { id?: string; status?: string; usage?: RealtimeUsage } | undefined);
      case 'error': {
        const error = (event.error ?? {}) as { type?: string; code?: string; message?: string };
        this.logger.warn(
          { event: 'realtime_error', call_sid: this.callSid, type: error.type, code: error.code, message: error.message?.slice(0, 300) },
          'Realtime provider error',
        );
        return;
      }
      default:
        return;
    }
  }

  private audioOut(event: RealtimeServerEvent): void {
    const delta = event.delta;
    const itemId = event.item_id;
    if (typeof delta !== 'string' || typeof itemId !== 'string' || itemId === this.cutItemId) return; // late audio of a cut item
    const receivedAt = Date.now();
    sendTextPair(
      this.socket,
      `{"event":"media","streamSid":${this.streamSidJson},"media":{"payload":${JSON.stringify(delta)}}}`,
      `{"event":"mark","streamSid":${this.streamSidJson},"mark":{"name":"${this.playback.sent(itemId, delta)}"}}`,
    );
    const state = this.responses.get(String(event.response_id));
    if (state && !state.latency && this.speechStoppedAt) {
      const sentAt = Date.now();
      state.latency = {
        end_of_speech_to_first_output_ms: sentAt - this.speechStoppedAt,
        provider_ms: receivedAt - this.speechStoppedAt,
        ours_ms: sentAt - receivedAt,
      };
      this.speechStoppedAt = 0;
    }
  }

  /** The caller speaks over the agent: stop playback at once, then cut the model's item where the caller stopped hearing it. */
  private bargeIn(): void {
    const cut = this.playback.interrupt();
    if (!cut) return;
    sendText(this.socket, `{"event":"clear","streamSid":${this.streamSidJson}}`);
    this.cutItemId = cut.itemId;
    this.provider?.send({ type: 'conversation.item.truncate', item_id: cut.itemId, content_index: 0, audio_end_ms: cut.heardMs });
    for (const state of this.responses.values()) state.interrupted = true;
  }

  private responseDone(response: { id?: string; status?: string; usage?: RealtimeUsage } | undefined): void {
    if (!response?.id) return;
    const state = this.responses.get(response.id);
    this.responses.delete(response.id);
    if (state && state.transcript) {
      this.recorder?.transcript({
        role: 'agent',
        text: state.transcript,
        interrupted: state.interrupted || response.status === 'cancelled',
        latency: state.latency,
      });
    }
    if (response.usage) {
      const { tokens, cost_usd } = priceRealtimeUsage(response.usage, this.deps.rates);
      if (tokens > 0) {
        this.recorder?.usage({
          kind: 'realtime_tokens',
          quantity: tokens,
          unit: 'tokens',
          cost_usd,
          idempotency_key: `realtime:${this.callSid}:${response.id}`,
        });
      }
    }
  }

  private async runTool(name: string, callId: string, argumentsJson: string): Promise<void> {
    let args: Record<string, unknown> = {};
    try {
      args = JSON.parse(argumentsJson) as Record<string, unknown>;
    } catch {
      // the model sent broken JSON: the tool runs with no arguments
    }
    const reason = typeof args.reason === 'string' ? args.reason.slice(0, 300) : name;
    switch (name) {
      case 'transfer_call':
        return this.transfer(reason, callId);
      case 'end_call':
        return this.hangup(reason);
      case 'take_message':
        return this.takeMessage(callId, args);
      case 'search_knowledge': {
        const passages = await this.deps.profiles.searchKnowledge(this.context!.company_id, String(args.query ?? ''), 3).catch(() => []);
        return this.toolResult(callId, { passages: passages.map((p) => ({ title: p.title, content: p.content })) });
      }
      default:
        return this.toolResult(callId, { ok: false, error: `unknown tool ${name}` });
    }
  }

  /** Stores the caller's message for the company (the outbox emits `message.taken`) and lets the model confirm it. */
  private async takeMessage(callId: string, args: Record<string, unknown>): Promise<void> {
    const message = typeof args.message === 'string' ? args.message.trim() : '';
    if (!message)
      return this.toolResult(callId, { ok: false, error: 'No message yet: ask the caller for their name and message, then call take_message again.' });
    const callback = typeof args.callback_number === 'string' ? args.callback_number.trim().slice(0, 40) : '';
    const context = this.context!;
    try {
      await this.deps.repository.recordTakenMessage({
        company_id: context.company_id,
        call_sid: this.callSid,
        contact: context.from_number,
        text: callback ? `${message}\nCallback number: ${callback}` : message,
      });
    } catch (error) {
      this.logger.error({ event: 'take_message_failed', call_sid: this.callSid, err: error }, 'Could not store a taken message');
      return this.toolResult(callId, { ok: false, error: 'The message could not be saved: apologise and ask the caller to call again later.' });
    }
    this.logger.log({ event: 'message_taken', call_sid: this.callSid }, 'Took a message for the company');
    this.toolResult(callId, { ok: true, result: 'The message was taken: confirm it to the caller in one short sentence.' });
  }

  private toolResult(callId: string | null, output: object): void {
    if (!this.provider || this.ending) return;
    if (callId)
      this.provider.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: JSON.stringify(output) } });
    this.provider.send({ type: 'response.create' });
    this.silence.expect('answer');
  }

  private dtmf(digit: unknown): void {
    if (typeof digit !== 'string' || !/^[0-9*#]$/.test(digit) || !this.provider) return;
    if (digit === '0' && this.context?.profile.transfer_number) {
      void this.transfer('The caller pressed 0 to talk to a person', null);
      return;
    }
    this.provider.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `[The caller pressed ${digit} on the keypad]` }] },
    });
    this.provider.send({ type: 'response.create' });
    this.silence.expect('answer');
  }

  /** `<Dial>`s the transfer number through Twilio's REST API once what the agent said has played. */
  private async transfer(reason: string, callId: string | null): Promise<void> {
    const number = this.context?.profile.transfer_number;
    if (!number) return this.toolResult(callId, { ok: false, error: 'No transfer number is configured: offer to take a message instead.' });
    if (this.ending) return;
    this.ending = true;
    this.silence.stop();
    await this.playback.drained(PLAYBACK_WAIT_MS);
    try {
      await this.deps.control.transfer(this.callSid, number);
      this.recorder?.transcript({ role: 'system', text: `transferred: ${reason}` });
    } catch (error) {
      this.ending = false;
      this.logger.error({ event: 'transfer_failed', call_sid: this.callSid, err: error }, 'Could not transfer the call');
      this.toolResult(callId, { ok: false, error: 'The transfer failed: apologise and offer to take a message.' });
    }
  }

  private async hangup(reason: string): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.silence.stop();
    await this.playback.drained(PLAYBACK_WAIT_MS);
    this.recorder?.transcript({ role: 'system', text: `ended: ${reason}` });
    await this.deps.control
      .hangup(this.callSid)
      .catch((error: unknown) => this.logger.warn({ event: 'hangup_failed', call_sid: this.callSid, err: error }, 'Could not hang up through the REST API'));
    closeSocket(this.socket, CLOSE.normal, 'ended');
    await this.cleanup('end_call');
  }

  /** The provider connected (or is connecting) and says nothing while the caller waits: as good as gone. */
  private providerSilent(awaited: Awaiting): void {
    if (this.ending || this.ended) return;
    this.logger.warn(
      { event: 'realtime_silent', call_sid: this.callSid, awaited, silent_ms: PROVIDER_SILENCE_MS },
      'The realtime provider went silent while the caller waited',
    );
    void this.rescue('realtime provider silent');
  }

  /**
   * The model is gone, silent, or was never there: apologise and hand the caller to a person (the transfer number,
   * else the fallback number), or end the call politely. When Twilio refuses the call update even after retries,
   * the session is marked first, so that the `<Connect action>` request that follows our closing the stream answers
   * with the apology and the dial instead of a bare hang-up.
   */
  private async rescue(why: string): Promise<void> {
    if (this.ending || !this.context) return;
    this.ending = true;
    this.silence.stop();
    this.playback.interrupt();
    const kind = why === 'no realtime provider configured' ? 'not_configured' : why === 'realtime provider silent' ? 'silent' : 'dropped';
    this.deps.metrics.providerError('openai_realtime', kind);
    this.recorder?.transcript({ role: 'system', text: `rescued: ${why}` });
    const marked = this.deps.repository.requestRescue(this.callSid).catch((error: unknown) => {
      this.logger.error({ event: 'rescue_mark_failed', call_sid: this.callSid, err: error }, 'Could not mark the call for rescue');
    });
    const { language, transfer_number, fallback_number } = this.context.profile;
    const outcome = await this.deps.control.rescue(this.callSid, language, transfer_number ?? fallback_number).catch((error: unknown) => {
      this.logger.error({ event: 'rescue_failed', call_sid: this.callSid, err: error }, 'Twilio refused the rescue; the connect action takes over');
      return 'refused' as const;
    });
    if (outcome === 'refused') await marked;
    this.logger.log({ event: 'media_rescued', call_sid: this.callSid, outcome, why }, 'Call handed over after losing the agent');
    closeSocket(this.socket, CLOSE.normal, 'rescued');
    await this.cleanup(why);
  }

  async endPolitely(reason: string): Promise<void> {
    if (!this.provider || this.ending || !this.context) return this.terminate(reason);
    const language = this.context.profile.language;
    this.provider.send({
      type: 'response.create',
      response: {
        instructions: `In ${language}, tell the caller in one short sentence that you have to end the call now and they can call again in a moment. Then stop.`,
      },
    });
    // Wait for the goodbye to be generated and to play, bounded.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await this.hangup(reason);
  }

  terminate(reason: string): void {
    closeSocket(this.socket, CLOSE.goingAway, reason);
    void this.cleanup(reason);
  }

  private reject(reason: string): void {
    this.logger.warn({ event: 'media_rejected', reason }, 'Refused a media stream');
    closeSocket(this.socket, CLOSE.policy, reason);
    void this.cleanup(reason);
  }

  private async cleanup(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.startTimer);
    this.silence.stop();
    this.pending = null;
    this.provider?.close();
    this.provider = null;
    this.playback.interrupt();
    this.responses.clear();
    this.deps.calls.remove(this);
    await this.recorder?.flushed();
    if (this.context) this.logger.log({ event: 'media_closed', call_sid: this.callSid, reason }, 'Media stream closed');
    this.resolveFinished();
  }
}
