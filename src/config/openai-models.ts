/**
 * The OpenAI models the API uses by default, and the shutdown dates OpenAI has announced for models a deployment
 * may still configure. Source: the "Deprecated values" notes on the model types of the official `openai` npm
 * package (7.60.0: `resources/shared.ts` ChatModel, `resources/realtime/realtime.ts` session `model` and
 * AudioTranscription `model`), which point to https://developers.openai.com/api/docs/deprecations.
 * Defaults are models those types list without a shutdown date. Update the table when the package adds notes.
 */
export const DEFAULT_OPENAI_MODELS = {
  /** OPENAI_MODEL: a current small chat model for the text brain. */
  chat: 'gpt-5.4-mini',
  /** OPENAI_REALTIME_MODEL: a current speech-to-speech model for Media Streams calls. */
  realtime: 'gpt-realtime-2.1',
  /** The realtime session's input transcription (the caller's side of the transcript). */
  transcription: 'gpt-live-transcribe',
} as const;

/** Announced shutdown dates (YYYY-MM-DD) by model id, as the `openai` package's notes list them. */
export const MODEL_SHUTDOWN_DATES: Readonly<Record<string, string>> = {
  // Chat models (ChatModel)
  'gpt-5.4-nano': '2027-04-01',
  'gpt-5.4-nano-2026-03-17': '2027-04-01',
  'gpt-5.1': '2027-04-01',
  'gpt-5.1-2025-11-13': '2027-04-01',
  'gpt-5.3-chat-latest': '2026-08-10',
  'gpt-5.2-chat-latest': '2026-08-10',
  'gpt-5.1-codex': '2026-07-23',
  'gpt-5.1-chat-latest': '2026-07-23',
  'gpt-5-chat-latest': '2026-07-23',
  'gpt-5': '2026-12-11',
  'gpt-5-mini': '2026-12-11',
  'gpt-5-nano': '2026-12-11',
  'gpt-5-2025-08-07': '2026-12-11',
  'gpt-5-mini-2025-08-07': '2026-12-11',
  'gpt-5-nano-2025-08-07': '2026-12-11',
  o3: '2026-12-11',
  'o3-2025-04-16': '2026-12-11',
  'gpt-4.1': '2027-01-14',
  'gpt-4.1-mini': '2027-01-14',
  'gpt-4.1-2025-04-14': '2027-01-14',
  'gpt-4.1-mini-2025-04-14': '2027-01-14',
  'gpt-4o': '2027-01-14',
  'gpt-4o-2024-11-20': '2027-01-14',
  'gpt-4o-2024-08-06': '2027-01-14',
  'gpt-4o-mini': '2027-01-14',
  'gpt-4o-mini-2024-07-18': '2027-01-14',
  'gpt-4.1-nano': '2026-10-23',
  'gpt-4.1-nano-2025-04-14': '2026-10-23',
  'o4-mini': '2026-10-23',
  'o4-mini-2025-04-16': '2026-10-23',
  'o3-mini': '2026-10-23',
  'o3-mini-2025-01-31': '2026-10-23',
  o1: '2026-10-23',
  'o1-2024-12-17': '2026-10-23',
  'gpt-4o-2024-05-13': '2026-10-23',
  'gpt-4-turbo': '2026-10-23',
  'gpt-4-turbo-2024-04-09': '2026-10-23',
  'gpt-4-1106-preview': '2026-10-23',
  'gpt-4': '2026-10-23',
  'gpt-4-0613': '2026-10-23',
  'gpt-3.5-turbo': '2026-10-23',
  'gpt-3.5-turbo-0125': '2026-10-23',
  'gpt-3.5-turbo-1106': '2026-09-28',
  'gpt-4o-search-preview': '2026-07-23',
  'gpt-4o-mini-search-preview': '2026-07-23',
  'gpt-4o-search-preview-2025-03-11': '2026-07-23',
  'gpt-4o-mini-search-preview-2025-03-11': '2026-07-23',
  'gpt-4o-audio-preview': '2026-05-07',
  'gpt-4o-audio-preview-2024-12-17': '2026-05-07',
  'gpt-4o-audio-preview-2025-06-03': '2026-05-07',
  'gpt-4o-mini-audio-preview': '2026-05-07',
  'gpt-4o-mini-audio-preview-2024-12-17': '2026-05-07',
  'gpt-4o-audio-preview-2024-10-01': '2025-10-10',
  'chatgpt-4o-latest': '2026-02-17',
  'codex-mini-latest': '2026-02-12',
  'gpt-4-0125-preview': '2026-03-26',
  'gpt-4-turbo-preview': '2026-03-26',
  'gpt-4-0314': '2026-03-26',
  'o1-preview': '2025-07-28',
  'o1-preview-2024-09-12': '2025-07-28',
  'o1-mini': '2025-10-27',
  'o1-mini-2024-09-12': '2025-10-27',
  'gpt-4-vision-preview': '2024-12-06',
  'gpt-4-32k': '2025-06-06',
  'gpt-4-32k-0314': '2025-06-06',
  'gpt-4-32k-0613': '2025-06-06',
  'gpt-3.5-turbo-16k': '2024-09-13',
  'gpt-3.5-turbo-0301': '2024-09-13',
  'gpt-3.5-turbo-0613': '2024-09-13',
  'gpt-3.5-turbo-16k-0613': '2024-09-13',
  // Realtime models (realtime session `model`)
  'gpt-realtime': '2027-01-20',
  'gpt-realtime-2025-08-28': '2027-01-20',
  'gpt-realtime-mini': '2027-01-20',
  'gpt-realtime-mini-2025-12-15': '2027-01-20',
  'gpt-audio-mini': '2027-01-20',
  'gpt-audio-mini-2025-12-15': '2027-01-20',
  // Transcription models (AudioTranscription `model`)
  'whisper-1': '2027-02-26',
  'gpt-4o-mini-transcribe': '2027-02-26',
  'gpt-4o-mini-transcribe-2025-12-15': '2027-02-26',
  'gpt-4o-transcribe': '2027-02-26',
  'gpt-4o-transcribe-diarize': '2027-02-26',
};

/**
 * One line per configured model with an announced shutdown, for the start-up log: past dates say the model is
 * already shut down, future ones say when it will be.
 */
export function modelShutdownWarnings(models: Record<string, string>, today: Date = new Date()): string[] {
  const day = today.toISOString().slice(0, 10);
  return Object.entries(models).flatMap(([setting, model]) => {
    const date = MODEL_SHUTDOWN_DATES[model];
    if (!date) return [];
    const when = date <= day ? `was shut down on ${date}` : `shuts down on ${date}`;
    return [`${setting}=${model} ${when} (OpenAI's announcement); choose a current model such as the default ${defaultFor(setting)}`];
  });
}

function defaultFor(setting: string): string {
  if (setting === 'OPENAI_REALTIME_MODEL') return DEFAULT_OPENAI_MODELS.realtime;
  return DEFAULT_OPENAI_MODELS.chat;
}
