-- Regulatory bundles: one row per bundle we created at Twilio for a company, its supporting documents (kept
-- here first so nothing is lost while Twilio is down), and a timeline of every change of state.
-- The purchase of the bundle's number is a durable state machine with a lease, so that any number of API
-- instances (status callback and scheduled poll alike) buy at most one number per bundle.

create table public.regulatory_bundles (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  -- the platform user who asked for it: the purchased number is linked to them (cost attribution)
  created_by uuid,
  iso_country text not null check (iso_country ~ '^[A-Z]{2}$'),
  number_type text not null check (number_type in ('local', 'mobile', 'national', 'toll-free')),
  end_user_type text not null check (end_user_type in ('individual', 'business')),
  email text not null,
  friendly_name text not null,
  regulation_sid text not null check (regulation_sid ~ '^RN[0-9a-fA-F]{32}$'),
  -- what the regulation asks for, as Twilio returned it (document types accepted, end-user fields)
  requirements jsonb not null default '{}'::jsonb,
  twilio_bundle_sid text unique check (twilio_bundle_sid ~ '^BU[0-9a-fA-F]{32}$'),
  end_user_sid text,
  address_sid text,
  address_document_sid text,
  number_preferences jsonb not null default '{}'::jsonb,
  status text not null default 'draft'
    check (status in ('draft', 'pending-review', 'in-review', 'twilio-rejected', 'twilio-approved', 'provisionally-approved')),
  failure_reason text,
  last_evaluation jsonb,
  purchase_state text not null default 'none' check (purchase_state in ('none', 'purchasing', 'purchased', 'failed')),
  purchase_attempts integer not null default 0,
  purchase_error text,
  phone_number text check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  phone_number_sid text,
  -- lease: who works on the bundle now, and until when (an expired lease may be taken by anyone)
  lease_owner text,
  lease_expires_at timestamptz,
  next_check_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (purchase_state <> 'purchased' or phone_number is not null)
);
create index regulatory_bundles_company_idx on public.regulatory_bundles (company_id, created_at desc);
-- what the monitor scans: bundles under review, and approved bundles whose number is not bought yet
create index regulatory_bundles_due_idx on public.regulatory_bundles (next_check_at)
  where status in ('pending-review', 'in-review')
     or (status in ('twilio-approved', 'provisionally-approved') and purchase_state in ('none', 'purchasing'));

create table public.regulatory_bundle_documents (
  id uuid primary key default gen_random_uuid(),
  bundle_id uuid not null references public.regulatory_bundles (id) on delete cascade,
  type text not null check (length(type) between 1 and 100),
  attributes jsonb not null default '{}'::jsonb,
  file_name text not null,
  mime_type text not null,
  size_bytes integer not null check (size_bytes > 0),
  content bytea not null,
  -- stored: kept here, not yet at Twilio; uploaded: Twilio has it (RD…); assigned: it is an item of the bundle
  upload_state text not null default 'stored' check (upload_state in ('stored', 'uploaded', 'assigned')),
  twilio_document_sid text unique,
  assignment_sid text,
  attempts integer not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index regulatory_bundle_documents_bundle_idx on public.regulatory_bundle_documents (bundle_id, created_at);

create table public.regulatory_bundle_events (
  id bigint generated always as identity primary key,
  bundle_id uuid not null references public.regulatory_bundles (id) on delete cascade,
  event text not null,
  status text,
  purchase_state text,
  detail jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default clock_timestamp()
);
create index regulatory_bundle_events_bundle_idx on public.regulatory_bundle_events (bundle_id, id);

-- phone_numbers.bundle_id (sql/0001) now points at the bundle a number was bought with.
alter table public.phone_numbers
  add constraint phone_numbers_bundle_fk foreign key (bundle_id) references public.regulatory_bundles (id) on delete set null;
-- at most one number per bundle, whatever the application does
create unique index phone_numbers_bundle_unique on public.phone_numbers (bundle_id) where bundle_id is not null;

do $$
declare t text;
begin
  foreach t in array array['regulatory_bundles', 'regulatory_bundle_documents', 'regulatory_bundle_events']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;
end
$$;
