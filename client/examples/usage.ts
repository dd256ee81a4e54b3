// Type-checked by the suite (test/client.spec.ts): the calls below must compile, and each call under an
// expect-error directive must NOT compile, which proves the client's types are real rather than `any`.
import { createApiClient, type Schema } from '../src/index.js';

export async function example(accessToken: string): Promise<void> {
  const api = createApiClient({ baseUrl: 'https://api.example.com', accessToken });

  const me = await api.get('/api/debug/auth-test');
  if (me.ok) {
    const userId: string = me.data.user_id;
    const admin: boolean = me.data.is_admin;
    console.log(userId, admin);
  } else {
    console.error(me.status, me.error.message);
  }

  const lookup = await api.get('/api/debug/phone-lookup/{phone_number}', { path: { phone_number: '+525512345678' } });
  if (lookup.ok) console.log(lookup.data.company.name, lookup.data.matched_table);

  const mine = await api.get('/api/debug/user-companies');
  const theirs = await api.get('/api/debug/user-companies', { query: { user_id: '00000000-0000-4000-8000-0000000000bb' } });
  if (mine.ok && theirs.ok) console.log(mine.data.companies.length + theirs.data.companies.length);

  const configured = await api.post('/api/phone-numbers/{phone_number}/configure', {
    path: { phone_number: '+525512345678' },
    body: { company_id: '00000000-0000-4000-8000-000000000001' },
  });
  if (configured.ok) {
    const configuration: Schema<'PhoneNumberConfigurationDto'> = configured.data;
    console.log(configuration.webhook_state);
  }

  // @ts-expect-error: no such route
  await api.get('/api/no-such-route');
  // @ts-expect-error: the phone number path parameter is required
  await api.get('/api/debug/phone-lookup/{phone_number}');
  // @ts-expect-error: configure takes a company_id, not a company name
  await api.post('/api/phone-numbers/{phone_number}/configure', { path: { phone_number: '+525512345678' }, body: { company: 'Demo' } });
  // @ts-expect-error: auth-test is GET only
  await api.post('/api/debug/auth-test');
  if (me.ok) {
    // @ts-expect-error: the answer has no token field (the token is never echoed)
    console.log(me.data.token);
  }
}
