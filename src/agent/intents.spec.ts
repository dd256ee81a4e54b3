import { detectIntent } from './intents.js';

describe('detectIntent', () => {
  it.each([
    ['', 'greeting'],
    ['¡Hola, buenas tardes!', 'greeting'],
    ['Can I speak to a person?', 'person'],
    ['quiero hablar con un asesor', 'person'],
    ['Operador, por favor', 'person'],
    ['Sorry, can you say that again?', 'repeat'],
    ['¿Me lo repite?', 'repeat'],
    ['No le entendí', 'repeat'],
    ['Adiós, gracias', 'goodbye'],
    ["that's all, goodbye", 'goodbye'],
    ['sí, por favor', 'affirm'],
    ['no gracias', 'deny'],
    ['¿cuánto cuesta una limpieza?', 'none'],
  ])('%j → %s', (text, intent) => {
    expect(detectIntent(text)).toBe(intent);
  });

  it('reads long questions as questions even when they mention a person', () => {
    expect(detectIntent('do you have a person on staff who can speak to my insurance company about the claim for my dog')).toBe('none');
  });
});
