/** A function the speech-to-speech model may call. */
export interface RealtimeTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface RealtimeSessionConfig {
  instructions: string;
  voice: string;
  /** BCP 47, for input transcription. */
  language: string;
  tools: RealtimeTool[];
}

/** A server event: `type` plus the fields of that type (GA protocol names). */
export type RealtimeServerEvent = { type: string } & Record<string, unknown>;

export interface RealtimeListener {
  onEvent(event: RealtimeServerEvent): void;
  /** The connection is gone; `expected` when we closed it. */
  onClose(info: { code: number; reason: string; expected: boolean }): void;
}

/** One call's connection to the provider. Sends before the socket opens are queued in order. */
export interface RealtimeConnection {
  /** Caller audio (base64 G.711 μ-law, as Twilio sends it). Hot path. */
  appendAudio(base64: string): void;
  send(event: { type: string } & Record<string, unknown>): void;
  close(): void;
}

/** A speech-to-speech provider; an abstract class so that it is the DI token (tests and benches swap it). */
export abstract class RealtimeVoiceProvider {
  /** Whether a provider is configured at all (OPENAI_API_KEY): without one, media-stream calls go through ConversationRelay. */
  abstract readonly configured: boolean;
  abstract connect(config: RealtimeSessionConfig, listener: RealtimeListener): RealtimeConnection;
}
