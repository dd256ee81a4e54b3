-- Telephony: what the incoming-call webhook decided, the status timeline of every call, and the queue of
-- calls whose estimated cost waits for Twilio's actual price.

alter table public.call_sessions
  add column account_sid text,
  -- the company named in the webhook URL; the dialed number decides, this is the fallback
  add column path_company_id uuid,
  add column matched_table text check (matched_table in ('phone_numbers', 'phone_number_users', 'path')),
  add column company_mismatch boolean not null default false,
  -- connected: handed to the agent; refused_*: told politely and hung up; not_handled: we only saw status callbacks
  add column outcome text not null default 'connected'
    check (outcome in ('connected', 'refused_limit', 'refused_after_hours', 'not_handled')),
  -- when the status currently shown happened (Twilio's Timestamp), to order callbacks without a SequenceNumber
  add column status_at timestamptz,
  add constraint call_sessions_status_check
    check (status in ('queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'));

create index call_sessions_company_status_idx on public.call_sessions (company_id, status, started_at desc);

-- Every status callback as received (Twilio retries and reorders them); the session holds the resulting state.
create table public.call_status_events (
  id bigint generated always as identity primary key,
  call_sid text not null references public.call_sessions (call_sid) on delete cascade,
  company_id uuid not null references public.companies (id) on delete cascade,
  status text not null
    check (status in ('queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled')),
  sequence_number integer,
  event_at timestamptz,
  duration_seconds integer check (duration_seconds is null or duration_seconds >= 0),
  -- whether this event changed the session (a late "ringing" after "completed" does not)
  applied boolean not null,
  received_at timestamptz not null default now(),
  -- a retried callback is the same call, status and sequence number
  constraint call_status_events_once unique nulls not distinct (call_sid, status, sequence_number)
);
create index call_status_events_call_idx on public.call_status_events (call_sid, received_at);

-- How an estimate was priced, and later the provider's price.
alter table public.usage_events add column details jsonb not null default '{}'::jsonb;

-- Calls whose cost is an estimate until Twilio publishes the price. Instances claim rows with a lease
-- (SKIP LOCKED), so each call is fetched by one instance at a time.
create table public.call_price_backfills (
  call_sid text primary key references public.call_sessions (call_sid) on delete cascade,
  usage_event_id uuid not null references public.usage_events (id) on delete cascade,
  account_sid text,
  -- pending: to fetch; priced: the usage event holds Twilio's price; not_found: Twilio has no such call;
  -- gave_up: no price after every attempt; unsupported_currency: the account is not billed in USD
  state text not null default 'pending' check (state in ('pending', 'priced', 'not_found', 'gave_up', 'unsupported_currency')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  lease_owner text,
  lease_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index call_price_backfills_due_idx on public.call_price_backfills (next_attempt_at) where state = 'pending';

do $$
declare t text;
begin
  foreach t in array array['call_status_events', 'call_price_backfills']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;
end
$$;
