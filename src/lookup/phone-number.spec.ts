import { InvalidPhoneNumberError, maskPhoneNumber, normalizePhoneNumber } from './phone-number.js';

describe('normalizePhoneNumber', () => {
  it.each([
    ['+52 55 1234 5678', '+525512345678'],
    ['+525512345678', '+525512345678'],
    ['525512345678', '+525512345678'],
    ['tel:+525512345678', '+525512345678'],
    ['%2B525512345678', '+525512345678'],
    ['whatsapp:+5215512345678', '+525512345678'],
    ['WhatsApp:+52 1 55 1234 5678', '+525512345678'],
    [' 52 (55) 1234-5678 ', '+525512345678'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['sms:+442071838750', '+442071838750'],
  ])('%s → %s', (input, expected) => {
    expect(normalizePhoneNumber(input)).toBe(expected);
  });

  it.each(['', 'hello', '+12', '++525512345678', 'whatsapp:abc', '%ZZ', '+52 55 1234 5678 ext 9', 'x'.repeat(100), '+525512345678;drop'])(
    'refuses %j with a message that says what to send',
    (input) => {
      expect(() => normalizePhoneNumber(input)).toThrow(InvalidPhoneNumberError);
      expect(() => normalizePhoneNumber(input)).toThrow(/international form/);
    },
  );
});

describe('maskPhoneNumber', () => {
  it('keeps only the last four digits', () => {
    expect(maskPhoneNumber('+525512345678')).toBe('***5678');
    expect(maskPhoneNumber(undefined)).toBeUndefined();
  });
});
