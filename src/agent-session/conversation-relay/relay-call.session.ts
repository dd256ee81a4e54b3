import { AsyncResource } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { bindLogContext } from '../../logging/log-context.js';
import type { WebSocket } from 'ws';
import type { AgentEvent } from '../../agent/agent-turn.js';
import { maskPhoneNumber } from '../../lookup/phone-number.js';
import type { AgentSessionRepository } from '../agent-session.repository.js';
import type { CallContext, StreamIdentity } from '../call-context.js';
import type { MetricsService } from '../../metrics/metrics.service.js';
import { CallRecorder } from '../call-recorder.js';
import type { LiveCall, LiveCallRegistry } from '../live-calls.registry.js';
import { StreamAdmissionService, StreamRejectedError } from '../stream-admission.service.js';
import type { VoiceAgent } from '../voice-agent.js';
import { PlayedText } from './played-text.js';
import { CLOSE, closeSocket, FIRST_MESSAGE_TIMEOUT_MS, MAX_UNADMITTED_BYTES, sendText } from '../ws-frames.js';

export interface RelayDeps {
  admission: StreamAdmissionService;
  agent: VoiceAgent;
  calls: LiveCallRegistry;
  repository: AgentSessionRepository;
  metrics: MetricsService;
}

/** Twilio closes a relay socket after 10 consecutive unidentified messages; we tolerate as many. */
const MAX_CONSECUTIVE_MALFORMED = 10;
/** Messages kept while the session loads (and within MAX_UNADMITTED_BYTES). */
const MAX_EARLY_MESSAGES = 20;

const GOODBYE_ON_SHUTDOWN: Record<string, string> = {
  es: 'Lo siento, tenemos que terminar la llamada. Por favor llame de nuevo en un momento.',
  en: 'I am sorry, I have to end the call now. Please call again in a moment.',
};

interface RunningTurn {
  controller: AbortController;
  spoken: string;
  done: Promise<void>;
}

/**
 * One ConversationRelay call: Twilio turns speech into `prompt`s and speaks our `text` tokens. Owns the running
 * answer (cancelled on `interrupt`, a newer prompt, or hang-up) and the call's transcript.
 */
export class RelayCallSession implements LiveCall {
  private readonly logger = new Logger('ConversationRelay');
  readonly kind = 'conversation_relay' as const;

  get stream(): StreamIdentity | undefined {
    return this.context?.stream;
  }
  callSid = '';
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private context: CallContext | null = null;
  private recorder: CallRecorder | null = null;
  private contact = '';
  private turn: RunningTurn | null = null;
  private malformed = 0;
  private ended = false;
  private admitting = false;
  private readonly early: Record<string, unknown>[] = [];
  private earlyBytes = 0;
  private endTimer: NodeJS.Timeout | undefined;
  /** What was sent and what Twilio says it played: `end` waits for the goodbye to be heard. */
  private readonly heard = new PlayedText();
  private ending = false;
  private readonly setupTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: RelayDeps,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.setupTimer = setTimeout(() => this.reject('no setup message'), FIRST_MESSAGE_TIMEOUT_MS);
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

  /** A parsed frame (null: not a JSON object) and its size in bytes. */
  handle(message: Record<string, unknown> | null, bytes = 0): void {
    if (this.ended) return;
    const type = message?.type;
    if (typeof type !== 'string') return this.countMalformed();
    this.malformed = 0;
    if (!this.context) {
      if (type === 'setup' && !this.admitting) void this.setup(message!);
      // Twilio may speak before the session has loaded (one database round trip): keep those messages in order.
      else if (this.admitting && this.early.length < MAX_EARLY_MESSAGES && this.earlyBytes + bytes <= MAX_UNADMITTED_BYTES) {
        this.early.push(message!);
        this.earlyBytes += bytes;
      }
      return;
    }
    switch (type) {
      case 'prompt':
        if (message!.last === false) return; // partial prompts (partialPrompts="true"): wait for the final one
        if (typeof message!.voicePrompt === 'string') this.prompt(message!.voicePrompt, Date.now());
        return;
      case 'interrupt':
        this.interrupt(typeof message!.utteranceUntilInterrupt === 'string' ? message!.utteranceUntilInterrupt : undefined);
        return;
      case 'dtmf':
        if (message!.digit === '0') void this.handOff('The caller pressed 0 to talk to a person');
        return;
      case 'error':
        this.logger.warn(
          { event: 'relay_error', call_sid: this.callSid, description: String(message!.description ?? '').slice(0, 500) },
          'ConversationRelay reported an error',
        );
        return;
      case 'info':
        if (message!.name === 'tokensPlayed' && typeof message!.value === 'string') this.heard.playedTokens(message!.value);
        return;
      default:
        return; // setup again, and types Twilio adds later
    }
  }

  private countMalformed(): void {
    if (++this.malformed >= MAX_CONSECUTIVE_MALFORMED) this.reject('too many malformed messages', CLOSE.unsupported);
  }

  private async setup(message: Record<string, unknown>): Promise<void> {
    this.admitting = true;
    clearTimeout(this.setupTimer);
    const parameters = message.customParameters as Record<string, unknown> | undefined;
    try {
      this.context = await this.deps.admission.admit('conversation_relay', parameters?.token, message.callSid);
    } catch (error) {
      return this.reject(error instanceof StreamRejectedError ? error.reason : 'setup failed');
    }
    if (this.ended) return; // hung up while the session was loading
    this.callSid = this.context.call_sid;
    bindLogContext({ call_sid: this.callSid, company_id: this.context.company_id });
    this.contact = this.context.from_number ?? (typeof message.from === 'string' ? message.from : '');
    this.recorder = new CallRecorder(this.deps.repository, this.context, { service: this.deps.metrics, brain: 'conversation_relay' });
    this.deps.calls.add(this)?.terminate('replaced by a newer stream of the same call');
    // A newer stream of this call was claimed on another instance first: this one was closed at once.
    if (this.ended) return;
    for (const early of this.early.splice(0)) this.handle(early);
    this.logger.log(
      { event: 'relay_started', call_sid: this.callSid, company_id: this.context.company_id, from: maskPhoneNumber(this.contact) },
      'ConversationRelay session started',
    );
  }

  private prompt(text: string, receivedAt: number): void {
    this.cancelTurn(null);
    this.heard.reset();
    const controller = new AbortController();
    const turn: RunningTurn = { controller, spoken: '', done: Promise.resolve() };
    this.turn = turn;
    turn.done = this.runTurn(turn, text, receivedAt).catch((error: unknown) => {
      this.logger.error({ event: 'relay_turn_failed', call_sid: this.callSid, err: error }, 'The agent failed to answer');
      if (!controller.signal.aborted) this.send({ type: 'text', token: '', last: true });
      if (this.turn === turn) this.turn = null;
    });
    // Queued after the brain's first query has gone out: the caller's words are stored without delaying the answer.
    this.recorder!.transcript({ role: 'caller', text });
  }

  private async runTurn(turn: RunningTurn, text: string, receivedAt: number): Promise<void> {
    const { signal } = turn.controller;
    let firstAt = 0;
    let firstSentAt = 0;
    let action: AgentEvent | null = null;
    const events = this.deps.agent.respond({
      companyId: this.context!.company_id,
      channel: 'voice',
      contact: this.contact,
      text,
      callSid: this.callSid,
      userId: this.context!.user_id,
      signal,
    });
    for await (const event of events) {
      if (signal.aborted) return;
      if (event.type === 'text') {
        if (!event.text) continue;
        if (!firstAt) firstAt = Date.now();
        // Twilio asks for tokens untrimmed and as soon as they exist.
        this.send({ type: 'text', token: event.text, last: false });
        this.heard.sentToken(event.text);
        if (!firstSentAt) firstSentAt = Date.now();
        turn.spoken += event.text;
      } else if (event.type === 'transfer' || event.type === 'end_call') {
        action = event;
        break;
      }
    }
    if (signal.aborted) return;
    this.send({ type: 'text', token: '', last: true });
    if (this.turn === turn) this.turn = null;
    this.recorder!.transcript({
      role: 'agent',
      text: turn.spoken,
      latency: firstAt
        ? { end_of_speech_to_first_output_ms: firstSentAt - receivedAt, provider_ms: firstAt - receivedAt, ours_ms: firstSentAt - firstAt }
        : null,
    });
    if (action?.type === 'transfer') await this.handOff(action.reason);
    else if (action?.type === 'end_call') await this.endAfterPlayed({ reasonCode: 'end-call', reason: action.reason });
  }

  private interrupt(heard: string | undefined): void {
    this.heard.reset();
    this.cancelTurn(heard ?? '');
  }

  /** Stops the running answer; with `heard` (what reached the caller), records the cut turn. */
  private cancelTurn(heard: string | null): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = null;
    turn.controller.abort();
    this.recorder?.transcript({ role: 'agent', text: heard ?? turn.spoken, interrupted: true });
  }

  /** `/voice/connect-action` receives `HandoffData` and dials the company's transfer number. */
  private async handOff(reason: string): Promise<void> {
    this.cancelTurn(null);
    await this.endAfterPlayed({ reasonCode: 'live-agent-handoff', reason });
  }

  /** `end` once what the agent said last (a goodbye, "I'll put you through") has been played, bounded. */
  private async endAfterPlayed(handoff: { reasonCode: string; reason: string }): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    await this.heard.drained();
    this.end(handoff);
  }

  private end(handoff: { reasonCode: string; reason: string }): void {
    if (this.ended || this.endTimer) return;
    this.recorder?.transcript({ role: 'system', text: `${handoff.reasonCode}: ${handoff.reason}` });
    this.send({ type: 'end', handoffData: JSON.stringify(handoff) });
    this.logger.log({ event: 'relay_end_sent', call_sid: this.callSid, reason_code: handoff.reasonCode }, 'Session ended by the agent');
    // Twilio closes the socket after `end`; cleanup runs then (or now, if it already closed).
    this.endTimer = setTimeout(() => closeSocket(this.socket, CLOSE.normal, 'ended'), 5_000);
  }

  async endPolitely(reason: string): Promise<void> {
    if (this.ended || !this.context) return this.terminate(reason);
    this.cancelTurn(null);
    const language = this.context.profile.language.slice(0, 2);
    const goodbye = GOODBYE_ON_SHUTDOWN[language] ?? GOODBYE_ON_SHUTDOWN.en;
    this.send({ type: 'text', token: goodbye, last: true });
    this.heard.sentToken(goodbye);
    await this.endAfterPlayed({ reasonCode: 'end-call', reason });
    // Twilio closes the socket after `end`; if it does not, close it ourselves.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.finished, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    this.terminate(reason);
    await this.finished;
  }

  terminate(reason: string): void {
    this.logger.log({ event: 'relay_terminated', call_sid: this.callSid, reason }, 'Closing the stream');
    closeSocket(this.socket, CLOSE.goingAway, reason);
    void this.cleanup(reason);
  }

  private reject(reason: string, code: number = CLOSE.policy): void {
    this.logger.warn({ event: 'relay_rejected', reason }, 'Refused a ConversationRelay stream');
    closeSocket(this.socket, code, reason);
    void this.cleanup(reason);
  }

  private send(message: object): void {
    sendText(this.socket, JSON.stringify(message));
  }

  private async cleanup(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.setupTimer);
    clearTimeout(this.endTimer);
    this.cancelTurn(null);
    this.deps.calls.remove(this);
    await this.recorder?.flushed();
    if (this.context) this.logger.log({ event: 'relay_closed', call_sid: this.callSid, reason }, 'ConversationRelay session closed');
    this.resolveFinished();
  }
}
