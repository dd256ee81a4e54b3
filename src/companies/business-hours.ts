/**
 * Business hours: a time zone and, per weekday, the opening intervals in local time.
 * `{ "time_zone": "America/Mexico_City", "weekly": { "mon": [["09:00", "18:00"]], "sat": [["10:00", "14:00"]] } }`.
 * A day that is absent or has no intervals is closed; intervals end after they start (no overnight ranges:
 * split them at midnight, e.g. fri ["22:00","24:00"] and sat ["00:00","02:00"]).
 */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHours {
  time_zone: string;
  weekly: Partial<Record<Weekday, [string, string][]>>;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every problem with a business-hours value, each naming its place; empty when it is valid. */
export function businessHoursProblems(value: unknown, field = 'business_hours'): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    return [`${field} must be an object like { "time_zone": "America/Mexico_City", "weekly": { "mon": [["09:00", "18:00"]] } }`];
  }
  const problems: string[] = [];
  const hours = value as Record<string, unknown>;
  for (const key of Object.keys(hours)) {
    if (key !== 'time_zone' && key !== 'weekly') problems.push(`${field}.${key} is not allowed; use time_zone and weekly`);
  }
  if (typeof hours.time_zone !== 'string' || !isValidTimeZone(hours.time_zone)) {
    problems.push(`${field}.time_zone must be an IANA time zone such as America/Mexico_City`);
  }
  const weekly = hours.weekly;
  if (typeof weekly !== 'object' || weekly === null || Array.isArray(weekly)) {
    problems.push(`${field}.weekly must be an object keyed by ${WEEKDAYS.join(', ')}`);
    return problems;
  }
  for (const [day, intervals] of Object.entries(weekly)) {
    const path = `${field}.weekly.${day}`;
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push(`${path} is not a weekday; use ${WEEKDAYS.join(', ')}`);
      continue;
    }
    if (!Array.isArray(intervals) || intervals.length > 6) {
      problems.push(`${path} must be a list of at most 6 ["HH:MM", "HH:MM"] intervals`);
      continue;
    }
    intervals.forEach((interval: unknown, i) => {
      const [start, end] = Array.isArray(interval) ? interval : [];
      if (!Array.isArray(interval) || interval.length !== 2 || typeof start !== 'string' || typeof end !== 'string' || !TIME.test(start) || !TIME.test(end)) {
        problems.push(`${path}[${i}] must be ["HH:MM", "HH:MM"] in 24-hour time, for example ["09:00", "18:00"]`);
      } else if (start >= end) {
        problems.push(`${path}[${i}] must end after it starts (${start} to ${end}); split overnight hours at midnight`);
      }
    });
  }
  return problems;
}

/** The weekday and HH:MM of an instant in a time zone. */
export function localWeekdayAndTime(now: Date, timeZone: string): { day: Weekday; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { day: get('weekday').toLowerCase().slice(0, 3) as Weekday, time: `${get('hour')}:${get('minute')}` };
}

/** Whether `now` falls inside the opening hours. No business hours configured means always open. */
export function isWithinBusinessHours(hours: BusinessHours | null | undefined, now: Date = new Date()): boolean {
  if (!hours) return true;
  const { day, time } = localWeekdayAndTime(now, hours.time_zone);
  return (hours.weekly[day] ?? []).some(([start, end]) => time >= start && time < end);
}
