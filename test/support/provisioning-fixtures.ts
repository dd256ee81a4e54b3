import request from 'supertest';
import { signTwilioRequest } from '../../src/twilio/twilio-request-validator.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN } from './test-config.js';
import { TestApp } from './test-app.js';
import { bearer, TestUser } from './tokens.js';

/** The smallest files that pass the type checks (by their first bytes). */
export const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2048, 0x20), Buffer.from('\n%%EOF\n')]);
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(256, 1)]);

export function bundleBody(companyId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    company_id: companyId,
    iso_country: 'MX',
    number_type: 'local',
    end_user_type: 'business',
    email: 'compliance@example.com',
    end_user: { business_name: 'Clínica Dental Sonrisa SA de CV', business_registration_number: 'CDS123456AB1' },
    address: {
      customer_name: 'Clínica Dental Sonrisa',
      street: 'Av. Insurgentes Sur 1234',
      city: 'Ciudad de México',
      region: 'CDMX',
      postal_code: '03100',
      iso_country: 'MX',
    },
    number_preferences: { contains: '55' },
    ...overrides,
  };
}

export function uploadDocument(
  t: TestApp,
  user: TestUser,
  bundleId: string,
  options: { type?: string; attributes?: string; file?: Buffer; filename?: string; contentType?: string } = {},
) {
  const req = request(t.server)
    .post(`/api/bundles/${bundleId}/documents`)
    .set(bearer(user))
    .field('type', options.type ?? 'business_registration')
    .field('attributes', options.attributes ?? JSON.stringify({ business_name: 'Clínica Dental Sonrisa SA de CV', registration_number: 'CDS123456AB1' }));
  return req.attach('file', options.file ?? PDF, { filename: options.filename ?? 'acta.pdf', contentType: options.contentType ?? 'application/pdf' });
}

/** Twilio's bundle status callback, signed like Twilio signs it. */
export function postBundleCallback(t: TestApp, params: Record<string, string>, signature?: string) {
  const url = `${TEST_PUBLIC_BASE_URL}/provisioning/bundles/status`;
  return request(t.server)
    .post('/provisioning/bundles/status')
    .type('form')
    .set('X-Twilio-Signature', signature ?? signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, url, params))
    .send(params);
}
