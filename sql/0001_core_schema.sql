-- Core tables. Written for PostgreSQL 15 (Supabase); the embedded database is newer and must not be
-- allowed to hide syntax that 15 rejects.

create table public.companies (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(btrim(name)) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.company_members (
  company_id uuid not null references public.companies (id) on delete cascade,
  user_id uuid not null,
  role text not null check (role in ('owner', 'admin', 'member')),
  created_at timestamptz not null default now(),
  primary key (company_id, user_id)
);
create index company_members_user_idx on public.company_members (user_id);

create table public.phone_numbers (
  id uuid primary key default gen_random_uuid(),
  phone_number text not null unique check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  company_id uuid not null references public.companies (id) on delete cascade,
  twilio_sid text unique,
  bundle_id uuid,
  voice_url text,
  sms_url text,
  status_callback_url text,
  -- not_configured: we never set Twilio's URLs; configured: they were set to ours; drifted: Twilio's no longer match.
  webhook_state text not null default 'not_configured' check (webhook_state in ('not_configured', 'configured', 'drifted')),
  webhooks_configured_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index phone_numbers_company_idx on public.phone_numbers (company_id);

-- Which platform user a number belongs to (cost attribution), and the fallback for finding its company.
create table public.phone_number_users (
  phone_number text not null check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  user_id uuid not null,
  company_id uuid not null references public.companies (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (phone_number, user_id)
);
create index phone_number_users_user_idx on public.phone_number_users (user_id);

create table public.agent_configs (
  company_id uuid primary key references public.companies (id) on delete cascade,
  name text not null default 'Assistant',
  language text not null default 'es-MX',
  greeting text,
  instructions text,
  voice text,
  voice_path text not null default 'conversation_relay' check (voice_path in ('conversation_relay', 'media_stream')),
  brain text not null default 'knowledge' check (brain in ('knowledge', 'openai')),
  model text,
  transfer_number text check (transfer_number ~ '^\+[1-9][0-9]{6,14}$'),
  fallback_number text check (fallback_number ~ '^\+[1-9][0-9]{6,14}$'),
  business_hours jsonb,
  max_concurrent_calls integer check (max_concurrent_calls is null or max_concurrent_calls > 0),
  updated_at timestamptz not null default now()
);

create table public.knowledge_entries (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  title text not null default '',
  content text not null check (length(content) between 1 and 20000),
  tags text[] not null default '{}',
  -- the text-search configuration of the company's language when the entry was written
  ts_config regconfig not null default 'simple',
  search_vector tsvector generated always as (
    setweight(to_tsvector(ts_config, coalesce(title, '')), 'A') || setweight(to_tsvector(ts_config, content), 'B')
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index knowledge_entries_company_idx on public.knowledge_entries (company_id, created_at);
create index knowledge_entries_search_idx on public.knowledge_entries using gin (search_vector);

create table public.usage_events (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  user_id uuid,
  call_sid text,
  kind text not null,
  quantity numeric(14, 4) not null check (quantity >= 0),
  unit text not null,
  cost_usd numeric(14, 6) not null default 0,
  price_source text not null default 'estimate' check (price_source in ('estimate', 'provider')),
  idempotency_key text not null unique,
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);
create index usage_events_company_idx on public.usage_events (company_id, occurred_at);
create index usage_events_call_idx on public.usage_events (call_sid) where call_sid is not null;

-- Row level security on every table, and no table privileges for the API roles: the API reaches data
-- through functions run by the service role (or the owner on a direct connection).
do $$
declare t text;
begin
  foreach t in array array['companies', 'company_members', 'phone_numbers', 'phone_number_users',
                           'agent_configs', 'knowledge_entries', 'usage_events']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;
end
$$;
