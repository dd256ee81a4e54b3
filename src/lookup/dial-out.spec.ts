import { checkDialOutNumber, dialOutProblemMessage } from './dial-out.js';

describe('checkDialOutNumber (the dial-out guard of DESIGN §4)', () => {
  it.each([
    ['+525511112222', 'a Mexico City number'],
    ['+14155552671', 'a US geographic number'],
    ['+18005551234', 'a US toll-free number'],
    ['+34612345678', 'a Spanish mobile'],
  ])('accepts %s (%s)', (number) => {
    expect(checkDialOutNumber(number)).toMatchObject({ ok: true });
  });

  it.each([
    ['+19005551234', 'type_not_allowed', 'US 900 premium rate'],
    ['+34803123456', 'type_not_allowed', 'Spanish 803 premium rate (the default metadata cannot tell)'],
    ['+448712345678', 'type_not_allowed', 'UK 087 premium/shared cost'],
    ['+33891234567', 'type_not_allowed', 'French 089 premium rate'],
    ['+881612345678', 'satellite_or_network', 'Iridium satellite'],
    ['+870773111632', 'satellite_or_network', 'Inmarsat satellite'],
    ['+5290012345678', 'invalid', 'not a valid Mexican number'],
    ['5511112222', 'not_e164', 'no country code'],
  ])('refuses %s as %s (%s)', (number, problem) => {
    expect(checkDialOutNumber(number)).toMatchObject({ ok: false, problem });
  });

  it('says why in a sentence that names the field', () => {
    expect(dialOutProblemMessage('transfer_number', checkDialOutNumber('+19005551234'))).toBe(
      'transfer_number is a premium-rate number; the agent dials only fixed-line, mobile or toll-free numbers',
    );
  });
});
