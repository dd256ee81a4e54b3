/**
 * Business hours as stored in `agent_configs.business_hours`:
 *
 *   { "time_zone": "America/Mexico_City",
 *     "weekly": { "mon": [["09:00", "18:00"]], "sat": [["09:00", "14:00"]] } }
 *
 * Times are the company's wall clock in `time_zone` (IANA), "HH:MM" 24-hour, start inclusive, end exclusive
 * ("24:00" ends at midnight). A day that is absent or has no ranges is closed. No business hours at all means
 * always open. The companies module (issue 3) owns this shape; this is the telephony side's reading of it.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHours {
  time_zone: string;
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
}

export type BusinessHoursCheck = { open: true; reason: 'always_open' | 'within_hours' } | { open: false; reason: 'closed' } | { open: true; reason: 'invalid_configuration'; problem: string };

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown time zone.
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

/** The weekday and minute of the day at `at` on the wall clock of `timeZone`. */
export function localWeekdayAndMinute(at: Date, timeZone: string): { weekday: Weekday; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = part('weekday').toLowerCase().slice(0, 3) as Weekday;
  return { weekday, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

/**
 * Whether a call at `at` falls within the configured hours. A configuration that cannot be read keeps the line
 * open (a caller reaching the agent beats a caller refused by a typo) and says why, so the caller can log it.
 */
export function checkBusinessHours(hours: unknown, at: Date): BusinessHoursCheck {
  if (hours === null || hours === undefined) return { open: true, reason: 'always_open' };
  const problem = describeProblem(hours);
  if (problem) return { open: true, reason: 'invalid_configuration', problem };
  const config = hours as BusinessHours;
  const { weekday, minute } = localWeekdayAndMinute(at, config.time_zone);
  const ranges = config.weekly[weekday] ?? [];
  const within = ranges.some(([start, end]) => minute >= minutesOf(start) && minute < minutesOf(end));
  return within ? { open: true, reason: 'within_hours' } : { open: false, reason: 'closed' };
}

function describeProblem(hours: unknown): string | undefined {
  if (typeof hours !== 'object' || Array.isArray(hours)) return 'business_hours must be an object';
  const { time_zone: timeZone, weekly } = hours as Record<string, unknown>;
  if (typeof timeZone !== 'string') return 'business_hours.time_zone must be an IANA time zone';
  try {
    formatterFor(timeZone);
  } catch {
    return `business_hours.time_zone "${timeZone}" is not a known time zone`;
  }
  if (!weekly || typeof weekly !== 'object' || Array.isArray(weekly)) return 'business_hours.weekly must be an object of days';
  for (const [day, ranges] of Object.entries(weekly as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return `business_hours.weekly has an unknown day "${day}" (use ${WEEKDAYS.join(', ')})`;
    if (!Array.isArray(ranges)) return `business_hours.weekly.${day} must be a list of ["HH:MM", "HH:MM"] ranges`;
    for (const range of ranges) {
      if (!Array.isArray(range) || range.length !== 2 || !range.every((t) => typeof t === 'string' && TIME.test(t))) {
        return `business_hours.weekly.${day} has a range that is not ["HH:MM", "HH:MM"]`;
      }
      if (minutesOf(range[0] as string) >= minutesOf(range[1] as string)) return `business_hours.weekly.${day} has a range that ends before it starts`;
    }
  }
  return undefined;
}
