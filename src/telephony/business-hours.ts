import { BusinessHours, businessHoursProblems, isWithinBusinessHours } from '../companies/business-hours.js';

export type BusinessHoursCheck =
  { open: true; reason: 'always_open' | 'within_hours' } | { open: false; reason: 'closed' } | { open: true; reason: 'invalid_configuration'; problem: string };

/**
 * Whether a call at `at` falls within the company's hours (the shape and rules are the companies module's). A stored
 * configuration that cannot be read keeps the line open (a caller reaching the agent beats a caller refused by a
 * typo) and says why, so the caller can log it.
 */
export function checkBusinessHours(hours: unknown, at: Date): BusinessHoursCheck {
  if (hours === null || hours === undefined) return { open: true, reason: 'always_open' };
  const problems = businessHoursProblems(hours);
  if (problems.length > 0) return { open: true, reason: 'invalid_configuration', problem: problems.join('; ') };
  return isWithinBusinessHours(hours as BusinessHours, at) ? { open: true, reason: 'within_hours' } : { open: false, reason: 'closed' };
}
