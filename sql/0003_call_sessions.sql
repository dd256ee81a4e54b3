-- Calls: one session per CallSid, its status timeline and its transcript. Telephony opens and closes
-- sessions; the agent session gateways add transcript turns.
create table public.call_sessions (
  id uuid primary key default gen_random_uuid(),
  call_sid text not null unique check (call_sid ~ '^CA[0-9a-fA-F]{32}$' or call_sid ~ '^[A-Za-z0-9_-]{6,64}$'),
  company_id uuid not null references public.companies (id) on delete cascade,
  user_id uuid,
  from_number text,
  to_number text,
  direction text not null default 'inbound',
  status text not null default 'initiated',
  voice_path text check (voice_path in ('conversation_relay', 'media_stream')),
  started_at timestamptz not null default now(),
  answered_at timestamptz,
  ended_at timestamptz,
  duration_seconds integer check (duration_seconds is null or duration_seconds >= 0),
  last_sequence_number integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index call_sessions_company_idx on public.call_sessions (company_id, started_at desc);
-- live calls per company, for the concurrent-call limit
create index call_sessions_live_idx on public.call_sessions (company_id) where ended_at is null;

create table public.call_transcripts (
  id uuid primary key default gen_random_uuid(),
  call_sid text not null references public.call_sessions (call_sid) on delete cascade,
  company_id uuid not null references public.companies (id) on delete cascade,
  seq integer not null,
  role text not null check (role in ('caller', 'agent', 'system')),
  text text not null,
  interrupted boolean not null default false,
  -- latency of an agent turn: { end_of_speech_to_first_output_ms, provider_ms, ours_ms }
  latency jsonb,
  created_at timestamptz not null default now(),
  unique (call_sid, seq)
);

do $$
declare t text;
begin
  foreach t in array array['call_sessions', 'call_transcripts']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;
end
$$;
