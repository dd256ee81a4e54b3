import { checkBusinessHours } from './business-hours.js';

const hours = { time_zone: 'America/Mexico_City', weekly: { mon: [['09:00', '18:00']], sat: [['09:00', '14:00']], sun: [] } };
// Mexico City is UTC-6 all year (no daylight saving since 2022).
const at = (iso: string): Date => new Date(iso);

describe('checkBusinessHours', () => {
  it('is always open without business hours', () => {
    expect(checkBusinessHours(null, new Date())).toEqual({ open: true, reason: 'always_open' });
  });

  it.each([
    ['Monday 09:00 local (start is inclusive)', '2026-11-23T15:00:00Z', true],
    ['Monday 17:59 local', '2026-11-23T23:59:00Z', true],
    ['Monday 18:00 local (end is exclusive)', '2026-11-24T00:00:00Z', false],
    ['Monday 08:59 local', '2026-11-23T14:59:00Z', false],
    ['Saturday 13:00 local', '2026-11-28T19:00:00Z', true],
    ['Sunday noon (empty day)', '2026-11-29T18:00:00Z', false],
    ['Tuesday noon (absent day)', '2026-11-24T18:00:00Z', false],
  ])('%s → open=%s', (_name, iso, open) => {
    expect(checkBusinessHours(hours, at(iso)).open).toBe(open);
  });

  it('reads the wall clock of the time zone, not UTC', () => {
    // 02:30 UTC on Tuesday is 20:30 on Monday in Mexico City and 11:30 on Tuesday in Tokyo.
    const tuesdayMornings = (time_zone: string) => ({ time_zone, weekly: { tue: [['09:00', '12:00']] as Array<[string, string]> } });
    expect(checkBusinessHours(tuesdayMornings('America/Mexico_City'), at('2026-11-24T02:30:00Z')).open).toBe(false);
    expect(checkBusinessHours(tuesdayMornings('Asia/Tokyo'), at('2026-11-24T02:30:00Z')).open).toBe(true);
  });

  it('accepts 24:00 as the end of the day', () => {
    expect(checkBusinessHours({ time_zone: 'UTC', weekly: { mon: [['00:00', '24:00']] } }, at('2026-11-23T23:59:59Z')).open).toBe(true);
  });

  it.each([
    ['not an object', 'nine to five', /must be an object/],
    ['an unknown time zone', { time_zone: 'Mars/Olympus', weekly: {} }, /time_zone must be an IANA time zone/],
    ['an unknown day', { time_zone: 'UTC', weekly: { monday: [] } }, /weekly\.monday/],
    ['a malformed time', { time_zone: 'UTC', weekly: { mon: [['9:00', '18:00']] } }, /weekly\.mon\[0\]/],
    ['a reversed range', { time_zone: 'UTC', weekly: { mon: [['18:00', '09:00']] } }, /weekly\.mon\[0\] must end/],
  ])('keeps the line open and explains %s', (_name, config, problem) => {
    const result = checkBusinessHours(config, new Date());
    expect(result).toMatchObject({ open: true, reason: 'invalid_configuration' });
    expect((result as { problem: string }).problem).toMatch(problem);
  });
});
