import { randomInt, randomUUID } from 'node:crypto';
import { PgDatabase } from '../../src/database/pg-database.js';

/** A fresh Mexican mobile-range number, so tests sharing a server database never collide. */
export function randomMexicanNumber(): string {
  return `+5255${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

export async function createCompany(db: PgDatabase, overrides: { id?: string; name?: string } = {}): Promise<{ id: string; name: string }> {
  const id = overrides.id ?? randomUUID();
  const name = overrides.name ?? `Company ${id.slice(0, 8)}`;
  await db.pool.query('insert into public.companies (id, name) values ($1, $2)', [id, name]);
  return { id, name };
}

export async function addMember(db: PgDatabase, companyId: string, userId: string, role: 'owner' | 'admin' | 'member' = 'member'): Promise<void> {
  await db.pool.query('insert into public.company_members (company_id, user_id, role) values ($1, $2, $3)', [companyId, userId, role]);
}

export async function addPhoneNumber(
  db: PgDatabase,
  companyId: string,
  overrides: { phone_number?: string; voice_url?: string; webhook_state?: string; twilio_sid?: string } = {},
): Promise<string> {
  const phone = overrides.phone_number ?? randomMexicanNumber();
  await db.pool.query(
    `insert into public.phone_numbers (phone_number, company_id, voice_url, webhook_state, twilio_sid)
     values ($1, $2, $3, coalesce($4, 'not_configured'), $5)`,
    [phone, companyId, overrides.voice_url ?? null, overrides.webhook_state ?? null, overrides.twilio_sid ?? null],
  );
  return phone;
}

export async function linkUserToNumber(db: PgDatabase, phone: string, userId: string, companyId: string): Promise<void> {
  await db.pool.query('insert into public.phone_number_users (phone_number, user_id, company_id) values ($1, $2, $3)', [phone, userId, companyId]);
}

/**
 * The row of a bundle the fake Twilio holds (`FakeTwilioProvisioning.seedBundle`), as the API's submission leaves it:
 * under review here, whatever Twilio's review decided there.
 */
export async function addSubmittedBundle(
  db: PgDatabase,
  companyId: string,
  seeded: { regulationSid: string; bundleSid: string; addressSid: string },
  status: 'in-review' | 'pending-review' = 'in-review',
): Promise<string> {
  const id = randomUUID();
  await db.pool.query(
    `insert into public.regulatory_bundles (id, company_id, created_by, iso_country, number_type, end_user_type, email, friendly_name,
       regulation_sid, twilio_bundle_sid, address_sid, status)
     values ($1, $2, $3, 'MX', 'local', 'business', 'x@example.com', 'seed', $4, $5, $6, $7)`,
    [id, companyId, randomUUID(), seeded.regulationSid, seeded.bundleSid, seeded.addressSid, status],
  );
  return id;
}
