/** Turns a document into knowledge passages: Markdown at its headings, plain text at blank lines. */
export interface Passage {
  title: string;
  content: string;
}

/** Passages are kept short so that a spoken answer stays short and ranking stays sharp. */
const TARGET_CHARS = 1_200;
const HARD_LIMIT = 20_000;

export function splitMarkdown(markdown: string): Passage[] {
  const passages: Passage[] = [];
  let title = '';
  let body: string[] = [];
  const flush = (): void => {
    passages.push(...packParagraphs(title, body.join('\n')));
    body = [];
  };
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      title = heading[1].trim();
    } else {
      body.push(line);
    }
  }
  flush();
  return passages;
}

export function splitPlainText(text: string): Passage[] {
  return packParagraphs('', text.replace(/\r\n?/g, '\n'));
}

/** Groups consecutive paragraphs up to TARGET_CHARS; a paragraph longer than the hard limit is cut at sentence ends. */
function packParagraphs(title: string, text: string): Passage[] {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter((p) => p.length > 0)
    .flatMap((p) => (p.length > HARD_LIMIT ? cutLong(p) : [p]));
  const out: Passage[] = [];
  let current = '';
  for (const paragraph of paragraphs) {
    if (current && current.length + paragraph.length + 2 > TARGET_CHARS) {
      out.push({ title, content: current });
      current = '';
    }
    current = current ? `${current}\n\n${paragraph}` : paragraph;
  }
  if (current) out.push({ title, content: current });
  return out;
}

function cutLong(paragraph: string): string[] {
  const sentences = paragraph.match(/[^.!?]+[.!?]*\s*/g) ?? [paragraph];
  const out: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    for (let i = 0; i < sentence.length; i += TARGET_CHARS) {
      const piece = sentence.slice(i, i + TARGET_CHARS);
      if (current.length + piece.length > TARGET_CHARS && current) {
        out.push(current.trim());
        current = '';
      }
      current += piece;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
