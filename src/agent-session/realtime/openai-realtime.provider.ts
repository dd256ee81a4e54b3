import { Injectable, Logger } from '@nestjs/common';
import WebSocket from 'ws';
import { AppConfig } from '../../config/app-config.js';
import { DEFAULT_OPENAI_MODELS } from '../../config/openai-models.js';
import { plainStringField } from '../ws-frames.js';
import { RealtimeConnection, RealtimeListener, RealtimeServerEvent, RealtimeSessionConfig, RealtimeVoiceProvider } from './realtime-voice.provider.js';

/** An upgrade unanswered for this long is a failed provider: the call is rescued instead of waiting in silence. */
export const HANDSHAKE_TIMEOUT_MS = 3_000;

/** Audio queued while the provider socket opens: 5 s of 20 ms frames. Older frames are dropped beyond it. */
const MAX_QUEUED = 250;

const AUDIO_DELTA_PREFIX = '{"type":"response.output_audio.delta"';

/**
 * Model audio, most of what the provider sends: its fields are ids and base64, read without JSON.parse.
 * Anything unexpected falls back to the full parse.
 */
function audioDelta(text: string): RealtimeServerEvent | null {
  const delta = plainStringField(text, 'delta');
  const itemId = plainStringField(text, 'item_id');
  const responseId = plainStringField(text, 'response_id');
  if (delta === undefined || itemId === undefined || responseId === undefined) return parseEvent(text);
  return { type: 'response.output_audio.delta', delta, item_id: itemId, response_id: responseId };
}

function parseEvent(text: string): RealtimeServerEvent | null {
  try {
    const event = JSON.parse(text) as RealtimeServerEvent;
    return event && typeof event.type === 'string' ? event : null;
  } catch {
    return null;
  }
}

/** `http(s)://host/v1` → `ws(s)://host/v1/realtime?model=...`, as the official SDK derives it. */
export function realtimeUrl(baseUrl: string, model: string): string {
  return `${baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/realtime?model=${encodeURIComponent(model)}`;
}

/** The GA `session.update` for telephony: μ-law both ways (no transcoding), server VAD, transcription, tools. */
export function sessionUpdate(model: string, config: RealtimeSessionConfig): Record<string, unknown> {
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      model,
      output_modalities: ['audio'],
      instructions: config.instructions,
      audio: {
        input: {
          format: { type: 'audio/pcmu' },
          transcription: { model: DEFAULT_OPENAI_MODELS.transcription, language: config.language.slice(0, 2) },
          turn_detection: {
            type: 'server_vad',
            threshold: 0.5,
            prefix_padding_ms: 300,
            silence_duration_ms: 500,
            create_response: true,
            interrupt_response: true,
          },
        },
        output: { format: { type: 'audio/pcmu' }, voice: config.voice },
      },
      tools: config.tools.map((tool) => ({ type: 'function', ...tool })),
      tool_choice: 'auto',
    },
  };
}

class OpenAiRealtimeConnection implements RealtimeConnection {
  private readonly socket: WebSocket;
  private queue: string[] | null = [];
  private closedByUs = false;

  constructor(url: string, apiKey: string, first: string, listener: RealtimeListener, logger: Logger) {
    this.socket = new WebSocket(url, { headers: { Authorization: `Bearer ${apiKey}` }, perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.socket.on('open', () => {
      this.socket.send(first);
      for (const text of this.queue ?? []) this.socket.send(text);
      this.queue = null;
    });
    this.socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const text = data.toString('utf8');
      const event = text.startsWith(AUDIO_DELTA_PREFIX) ? audioDelta(text) : parseEvent(text);
      if (event) listener.onEvent(event);
    });
    // 'close' always follows 'error' in ws: the listener hears about the end once, there.
    this.socket.on('error', (error) => logger.warn({ event: 'realtime_socket_error', message: error.message }, 'Realtime provider socket error'));
    this.socket.on('close', (code, reason) => {
      this.queue = null;
      listener.onClose({ code, reason: reason.toString('utf8').slice(0, 200), expected: this.closedByUs });
    });
  }

  appendAudio(base64: string): void {
    // Built by hand: this runs 50 times a second per call, and the payload is the only variable part.
    this.sendText(`{"type":"input_audio_buffer.append","audio":${JSON.stringify(base64)}}`, true);
  }

  send(event: { type: string } & Record<string, unknown>): void {
    this.sendText(JSON.stringify(event), false);
  }

  close(): void {
    this.closedByUs = true;
    this.queue = null;
    if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    else if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'call ended');
  }

  private sendText(text: string, droppable: boolean): void {
    if (this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(text);
    } else if (this.queue) {
      if (droppable && this.queue.length >= MAX_QUEUED) {
        const index = this.queue.findIndex((queued) => queued.startsWith('{"type":"input_audio_buffer.append"'));
        if (index >= 0) this.queue.splice(index, 1);
      }
      this.queue.push(text);
    }
  }
}

/** OpenAI Realtime, GA protocol (no OpenAI-Beta header), on OPENAI_BASE_URL for tests and compatible servers. */
@Injectable()
export class OpenAiRealtimeProvider extends RealtimeVoiceProvider {
  private readonly logger = new Logger('OpenAiRealtime');

  constructor(private readonly config: AppConfig) {
    super();
  }

  get configured(): boolean {
    return Boolean(this.config.openai.apiKey);
  }

  connect(session: RealtimeSessionConfig, listener: RealtimeListener): RealtimeConnection {
    const { apiKey, baseUrl, realtimeModel } = this.config.openai;
    if (!apiKey) throw new Error('OPENAI_API_KEY is not set: no realtime provider');
    const first = JSON.stringify(sessionUpdate(realtimeModel, session));
    return new OpenAiRealtimeConnection(realtimeUrl(baseUrl, realtimeModel), apiKey, first, listener, this.logger);
  }
}
