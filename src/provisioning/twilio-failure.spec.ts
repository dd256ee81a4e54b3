import { BadGatewayException, BadRequestException } from '@nestjs/common';
import { TwilioFailure } from './twilio-failure.js';

describe('TwilioFailure', () => {
  it('treats no answer, 5xx and 429 as transient, and any other answer as final', () => {
    expect(TwilioFailure.from('x', new Error('socket hang up')).transient).toBe(true);
    expect(TwilioFailure.from('x', { status: 503, message: 'down' }).transient).toBe(true);
    expect(TwilioFailure.from('x', { status: 429 }).transient).toBe(true);
    const refused = TwilioFailure.from('buy the number', { status: 400, code: 21649, message: 'Bundle status is not twilio-approved' });
    expect(refused.transient).toBe(false);
    expect(refused.message).toBe('Twilio could not buy the number: HTTP 400 (error 21649): Bundle status is not twilio-approved');
  });

  it('becomes 502 when Twilio did not answer and 400 when it refused', () => {
    expect(TwilioFailure.from('x', { status: 500 }).toHttp()).toBeInstanceOf(BadGatewayException);
    expect(TwilioFailure.from('x', { status: 400 }).toHttp()).toBeInstanceOf(BadRequestException);
  });
});
