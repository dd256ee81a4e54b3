import { readSseData } from './sse.js';

async function collect(chunks: string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  async function* body(): AsyncGenerator<Uint8Array> {
    for (const c of chunks) yield encoder.encode(c);
  }
  const out: string[] = [];
  for await (const data of readSseData(body())) out.push(data);
  return out;
}

describe('readSseData', () => {
  it('splits events across arbitrary chunk boundaries, ignoring comments', async () => {
    expect(await collect(['data: {"a"', ':1}\n\n: keep-alive\n\nda', 'ta: [DONE]\r\n\r\n'])).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins multi-line data and flushes a last event without a blank line', async () => {
    expect(await collect(['data: one\ndata: two\n\ndata: last'])).toEqual(['one\ntwo', 'last']);
  });

  it('decodes UTF-8 split inside a character', async () => {
    const bytes = new TextEncoder().encode('data: ¿sí?\n\n');
    async function* body(): AsyncGenerator<Uint8Array> {
      yield bytes.slice(0, 7);
      yield bytes.slice(7);
    }
    const out: string[] = [];
    for await (const d of readSseData(body())) out.push(d);
    expect(out).toEqual(['¿sí?']);
  });
});
