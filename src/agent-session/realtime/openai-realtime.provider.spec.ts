import { realtimeUrl, sessionUpdate } from './openai-realtime.provider.js';

describe('realtimeUrl', () => {
  it.each([
    ['https://api.openai.com/v1', 'wss://api.openai.com/v1/realtime?model=gpt-realtime'],
    ['http://127.0.0.1:4010/v1/', 'ws://127.0.0.1:4010/v1/realtime?model=gpt-realtime'],
  ])('%s → %s', (base, expected) => expect(realtimeUrl(base, 'gpt-realtime')).toBe(expected));
});

describe('sessionUpdate', () => {
  it('is the GA shape: session.type realtime, μ-law both ways, server VAD, voice under audio.output, function tools', () => {
    const update = sessionUpdate('gpt-realtime', {
      instructions: 'Be brief.',
      voice: 'cedar',
      language: 'es-MX',
      tools: [{ name: 'end_call', description: 'Hang up', parameters: { type: 'object', properties: {} } }],
    });
    expect(update).toEqual({
      type: 'session.update',
      session: {
        type: 'realtime',
        model: 'gpt-realtime',
        output_modalities: ['audio'],
        instructions: 'Be brief.',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            transcription: { model: 'gpt-live-transcribe', language: 'es' },
            turn_detection: {
              type: 'server_vad',
              threshold: 0.5,
              prefix_padding_ms: 300,
              silence_duration_ms: 500,
              create_response: true,
              interrupt_response: true,
            },
          },
          output: { format: { type: 'audio/pcmu' }, voice: 'cedar' },
        },
        tools: [{ type: 'function', name: 'end_call', description: 'Hang up', parameters: { type: 'object', properties: {} } }],
        tool_choice: 'auto',
      },
    });
    // Beta-only fields must not appear.
    expect(JSON.stringify(update)).not.toMatch(/input_audio_format|g711_ulaw|"modalities"|temperature/);
  });
});
