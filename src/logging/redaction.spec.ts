import { redactError, redactFields, redactText } from './redaction.js';

describe('redactText', () => {
  it.each([
    ['/api/debug/phone-lookup/+525512345678', '/api/debug/phone-lookup/***5678'],
    ['/api/debug/phone-lookup/%2B525512345678', '/api/debug/phone-lookup/***5678'],
    ['/api/debug/phone-lookup/%2B52%2055%201234%205678', '/api/debug/phone-lookup/***5678'],
    ['call from +52 55 1234 5678 ended', 'call from ***5678 ended'],
    ['From=whatsapp:+5215512345678&Body=hi', 'From=whatsapp:***5678&Body=hi'],
    ['/whatsapp/webhook?From=whatsapp%3A%2B5215512345678&To=whatsapp%3A%2B14155238886', '/whatsapp/webhook?From=whatsapp%3A***5678&To=whatsapp%3A***8886'],
    ['/api/debug/phone-lookup/tel%3A525512345678', '/api/debug/phone-lookup/tel%3A***5678'],
    ['(555) 123-4567', '(***4567'],
  ])('keeps only the last four digits of %s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'CA0123456789abcdef0123456789abcdef',
    '/voice/incoming/12345678-1234-4123-8123-123456789012',
    '/voice/incoming/3f2a1b4c-0d5e-4f60-8a7b-9c0d1e2f3a4b',
    'at 2026-11-26T12:00:00.000Z',
    'on 2026-11-26 from 192.168.100.200',
    'took 42 ms, 12345 bytes',
  ])('leaves SIDs, UUIDs, dates, addresses and short numbers alone: %s', (input) => {
    expect(redactText(input)).toBe(input);
  });

  it('drops tokens from query strings, bearer credentials and bare JWTs', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(redactText('/media-stream?token=abc.def&x=1')).toBe('/media-stream?token=[redacted]&x=1');
    expect(redactText(`Authorization: Bearer ${jwt}`)).toBe('Authorization: Bearer [redacted]');
    expect(redactText(`token was ${jwt}.`)).not.toContain('eyJzdWIiOiJ4In0');
  });
});

describe('redactFields', () => {
  it('censors secret fields at any depth, whatever their case, and masks numbers in strings', () => {
    const out = redactFields({
      event: 'x',
      Authorization: 'Bearer abc',
      nested: { token: 't', list: [{ 'X-Twilio-Signature': 's', to: '+525512345678' }], count: 3 },
      from: 'whatsapp:+5215512345678',
    });
    expect(out).toEqual({
      event: 'x',
      Authorization: '[redacted]',
      nested: { token: '[redacted]', list: [{ 'X-Twilio-Signature': '[redacted]', to: '***5678' }], count: 3 },
      from: 'whatsapp:***5678',
    });
  });

  it('leaves class instances to their serializers and does not touch the input', () => {
    const date = new Date(0);
    const input = { when: date, from: '+525512345678' };
    const out = redactFields(input);
    expect(out.when).toBe(date);
    expect(input.from).toBe('+525512345678');
  });
});

describe('redactError', () => {
  it('masks numbers in message and stack, keeps type, code and cause', () => {
    const cause = new Error('upstream said +525512345678 is invalid');
    const error = Object.assign(new TypeError('cannot dial +525512345678', { cause }), { code: 21211 });
    const out = redactError(error) as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'TypeError', message: 'cannot dial ***5678', code: 21211 });
    expect(JSON.stringify(out)).not.toContain('525512345678');
    expect((out.cause as Record<string, unknown>).message).toBe('upstream said ***5678 is invalid');
  });
});
