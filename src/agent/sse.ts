/**
 * Server-sent events as OpenAI-compatible servers stream them: `data: <json>` lines, events separated by a blank
 * line, `:` comments ignored, `data: [DONE]` last. Yields each event's data.
 */
export async function* readSseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const lines = function* (final: boolean): Generator<string> {
    let index: number;
    while ((index = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + (buffer.startsWith('\r\n', index) ? 2 : 1));
      yield line;
    }
    if (final && buffer) {
      yield buffer;
      buffer = '';
    }
  };
  const take = (line: string): string | undefined => {
    if (line === '') {
      const event = data.length > 0 ? data.join('\n') : undefined;
      data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    return undefined;
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (const line of lines(false)) {
      const event = take(line);
      if (event !== undefined) yield event;
    }
  }
  buffer += decoder.decode();
  for (const line of lines(true)) {
    const event = take(line);
    if (event !== undefined) yield event;
  }
  if (data.length > 0) yield data.join('\n');
}
