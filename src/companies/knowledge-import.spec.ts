import { splitMarkdown, splitPlainText } from './knowledge-import.js';

describe('splitMarkdown', () => {
  it('makes one passage per heading, the heading as title', () => {
    const passages = splitMarkdown('Intro line\n\n# Horario\nAbrimos a las 9.\nCerramos a las 7.\n\n## Ubicación ##\r\nInsurgentes Sur 1234.\n');
    expect(passages).toEqual([
      { title: '', content: 'Intro line' },
      { title: 'Horario', content: 'Abrimos a las 9. Cerramos a las 7.' },
      { title: 'Ubicación', content: 'Insurgentes Sur 1234.' },
    ]);
  });

  it('drops headings without text', () => {
    expect(splitMarkdown('# Empty\n\n# Full\nText')).toEqual([{ title: 'Full', content: 'Text' }]);
  });
});

describe('splitPlainText', () => {
  it('groups paragraphs and never exceeds the entry limit', () => {
    const long = 'Una frase bastante larga para llenar el texto. '.repeat(1_000);
    const passages = splitPlainText(`First paragraph.\n\nSecond paragraph.\n\n${long}`);
    expect(passages[0].content).toBe('First paragraph.\n\nSecond paragraph.');
    expect(passages.length).toBeGreaterThan(10);
    for (const p of passages) expect(p.content.length).toBeLessThanOrEqual(20_000);
    expect(
      passages
        .map((p) => p.content)
        .join(' ')
        .replace(/\s+/g, ' '),
    ).toContain(long.trim().slice(0, 500));
  });
});
