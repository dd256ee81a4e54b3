import { loadConfig } from './load-config.js';
import { DEFAULT_OPENAI_MODELS, MODEL_SHUTDOWN_DATES, modelShutdownWarnings } from './openai-models.js';
import { sessionUpdate } from '../agent-session/realtime/openai-realtime.provider.js';

describe('OpenAI models', () => {
  it('defaults to models without an announced shutdown, a gpt-realtime-2.x voice model among them', () => {
    const { openai } = loadConfig({});
    expect(MODEL_SHUTDOWN_DATES[openai.model]).toBeUndefined();
    expect(MODEL_SHUTDOWN_DATES[openai.realtimeModel]).toBeUndefined();
    expect(openai.realtimeModel).toMatch(/^gpt-realtime-2(\.\d+)?$/);
    const update = sessionUpdate(openai.realtimeModel, { instructions: '', voice: 'marin', language: 'es-MX', tools: [] }) as {
      session: { audio: { input: { transcription: { model: string } } } };
    };
    const transcription = update.session.audio.input.transcription.model;
    expect(transcription).toBe(DEFAULT_OPENAI_MODELS.transcription);
    expect(MODEL_SHUTDOWN_DATES[transcription]).toBeUndefined();
  });

  it('knows the shutdowns announced for the former defaults', () => {
    expect(MODEL_SHUTDOWN_DATES['gpt-4o-mini']).toBe('2027-01-14');
    expect(MODEL_SHUTDOWN_DATES['gpt-realtime']).toBe('2027-01-20');
    expect(MODEL_SHUTDOWN_DATES['gpt-4o-mini-transcribe']).toBe('2027-02-26');
  });

  it('warns at start-up, naming the setting, the model and the date, only for models with a shutdown', () => {
    const today = new Date('2026-12-03T10:00:00Z');
    const warnings = modelShutdownWarnings({ OPENAI_MODEL: 'gpt-4o-mini', OPENAI_REALTIME_MODEL: 'gpt-realtime' }, today);
    expect(warnings).toEqual([
      expect.stringMatching(/^OPENAI_MODEL=gpt-4o-mini shuts down on 2027-01-14 .*gpt-5\.4-mini/),
      expect.stringMatching(/^OPENAI_REALTIME_MODEL=gpt-realtime shuts down on 2027-01-20 .*gpt-realtime-2\.1/),
    ]);
    expect(modelShutdownWarnings({ OPENAI_MODEL: 'o1-mini' }, today)).toEqual([expect.stringContaining('o1-mini was shut down on')]);
    expect(modelShutdownWarnings({ OPENAI_MODEL: DEFAULT_OPENAI_MODELS.chat, OPENAI_REALTIME_MODEL: DEFAULT_OPENAI_MODELS.realtime }, today)).toEqual([]);
  });
});
