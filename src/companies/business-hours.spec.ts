import { BusinessHours, businessHoursProblems, isWithinBusinessHours } from './business-hours.js';

const mexico: BusinessHours = {
  time_zone: 'America/Mexico_City',
  weekly: {
    mon: [
      ['09:00', '14:00'],
      ['16:00', '19:00'],
    ],
    sat: [['10:00', '24:00']],
  },
};

describe('isWithinBusinessHours', () => {
  // Mexico City is UTC-6 all year (no daylight saving since 2022).
  it.each([
    ['2026-11-23T15:00:00Z', true], // Monday 09:00 local: opening minute
    ['2026-11-23T20:00:00Z', false], // Monday 14:00 local: the lunch break starts
    ['2026-11-23T22:30:00Z', true], // Monday 16:30
    ['2026-11-24T01:00:00Z', false], // Monday 19:00: closed (end is exclusive)
    ['2026-11-24T15:00:00Z', false], // Tuesday: no hours
    ['2026-11-29T05:59:00Z', true], // Saturday 23:59 local
    ['2026-11-29T06:00:00Z', false], // Sunday 00:00 local
  ])('at %s → %s', (iso, open) => {
    expect(isWithinBusinessHours(mexico, new Date(iso))).toBe(open);
  });

  it('is always open without business hours', () => {
    expect(isWithinBusinessHours(null, new Date())).toBe(true);
  });
});

describe('businessHoursProblems', () => {
  it('accepts a valid value and null', () => {
    expect(businessHoursProblems(mexico)).toEqual([]);
    expect(businessHoursProblems(null)).toEqual([]);
  });

  it('names every problem', () => {
    const problems = businessHoursProblems({
      time_zone: 'Mars/Olympus',
      weekly: { mon: [['18:00', '09:00']], funday: [], tue: [['9:00', '17:00']] },
      extra: 1,
    });
    expect(problems).toEqual([
      'business_hours.extra is not allowed; use time_zone and weekly',
      'business_hours.time_zone must be an IANA time zone such as America/Mexico_City',
      'business_hours.weekly.mon[0] must end after it starts (18:00 to 09:00); split overnight hours at midnight',
      'business_hours.weekly.funday is not a weekday; use mon, tue, wed, thu, fri, sat, sun',
      'business_hours.weekly.tue[0] must be ["HH:MM", "HH:MM"] in 24-hour time, for example ["09:00", "18:00"]',
    ]);
  });

  it('refuses non-objects', () => {
    expect(businessHoursProblems('9 to 5')[0]).toMatch(/must be an object/);
  });
});
