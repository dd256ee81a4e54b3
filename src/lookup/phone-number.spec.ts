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

  it('answers the same when a number comes back, a refused one included (the parse is memoised)', () => {
    for (let round = 0; round < 3; round += 1) {
      expect(normalizePhoneNumber('+52 55 1234 5678')).toBe('+525512345678');
      expect(normalizePhoneNumber('whatsapp:+5215512345678')).toBe('+525512345678');
      expect(() => normalizePhoneNumber('+520000')).toThrow(InvalidPhoneNumberError);
    }
  });

  it('stays right past the memo bound (a flood of new numbers)', () => {
    for (let i = 0; i < 10_050; i += 1) expect(normalizePhoneNumber(`+5255${String(i).padStart(8, '0')}`)).toBe(`+5255${String(i).padStart(8, '0')}`);
    expect(normalizePhoneNumber('+1 (415) 555-2671')).toBe('+14155552671');
    expect(() => normalizePhoneNumber('+12')).toThrow(InvalidPhoneNumberError);
  });
});

describe('maskPhoneNumber', () => {
  it('keeps only the last four digits', () => {
    expect(maskPhoneNumber('+525512345678')).toBe('***5678');
    expect(maskPhoneNumber(undefined)).toBeUndefined();
  });
});
