-- Company events (issue 15): an outbox of what happened to a company's calls, messages and bundles, written in
-- the same transaction as the fact it reports (by triggers on the facts' tables, so no existing function changes),
-- its signed webhook deliveries (Standard Webhooks) claimed with leases by whichever instance is free, and the
-- messages the agent took. The live stream (SSE) reads the same table.

-- One webhook endpoint per company. The secret signs every delivery; it is shown once, when it is created.
create table public.company_webhooks (
  company_id uuid primary key references public.companies (id) on delete cascade,
  url text not null check (url ~ '^https?://' and length(url) <= 2048),
  events text[] not null,
  secret text not null check (secret ~ '^whsec_'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The outbox. `seq` orders the live stream (it is the SSE event id); `id` is the event's id in every webhook attempt.
-- call.started and call.transcript are live-stream only (never delivered by webhook) and pruned after a day.
create table public.company_events (
  seq bigint generated always as identity primary key,
  id text not null unique default ('evt_' || replace(gen_random_uuid()::text, '-', '')),
  company_id uuid not null references public.companies (id) on delete cascade,
  type text not null check (type in ('call.started', 'call.transcript', 'call.completed', 'call.cost_updated', 'message.taken', 'bundle.updated')),
  -- the call SID, message id or bundle id the event is about
  subject text not null,
  data jsonb not null,
  created_at timestamptz not null default now()
);
create index company_events_company_idx on public.company_events (company_id, seq);
create index company_events_live_prune_idx on public.company_events (created_at) where type in ('call.started', 'call.transcript');

-- One delivery per event to the company's endpoint, retried with backoff by whichever instance claims it.
create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  event_seq bigint not null unique references public.company_events (seq) on delete cascade,
  company_id uuid not null references public.companies (id) on delete cascade,
  -- pending: to (re)try; delivered: a 2xx came back; failed: every attempt failed; canceled: the webhook was removed
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed', 'canceled')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_owner text,
  lease_until timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index webhook_deliveries_due_idx on public.webhook_deliveries (next_attempt_at) where state = 'pending';
create index webhook_deliveries_company_idx on public.webhook_deliveries (company_id, created_at desc);

create table public.webhook_delivery_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references public.webhook_deliveries (id) on delete cascade,
  attempt integer not null,
  url text not null,
  status_code integer,
  error text,
  duration_ms integer,
  attempted_at timestamptz not null default now()
);
create index webhook_delivery_attempts_delivery_idx on public.webhook_delivery_attempts (delivery_id, attempt);

-- Messages the agent took for the company, from calls (both voice paths) and SMS/WhatsApp.
create table public.taken_messages (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  channel text not null check (channel in ('voice', 'sms', 'whatsapp')),
  -- the caller's or texter's number
  contact text,
  call_sid text,
  conversation_id uuid references public.conversations (id) on delete set null,
  text text not null check (length(text) between 1 and 20000),
  created_at timestamptz not null default now()
);
create index taken_messages_company_idx on public.taken_messages (company_id, created_at desc, id desc);

create index conversations_company_recent_idx on public.conversations (company_id, updated_at desc, id desc);

do $$
declare t text;
begin
  foreach t in array array['company_webhooks', 'company_events', 'webhook_deliveries', 'webhook_delivery_attempts', 'taken_messages']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;
end
$$;

-- Writes an event (and its delivery, when the company's webhook takes that type) in the caller's transaction.
create or replace function public.enqueue_company_event(p_company_id uuid, p_type text, p_subject text, p_data jsonb, p_delay_seconds integer default 0)
returns bigint
language plpgsql
as $$
declare
  v_seq bigint;
begin
  insert into public.company_events (company_id, type, subject, data)
  values (p_company_id, p_type, p_subject, coalesce(p_data, '{}'::jsonb))
  returning seq into v_seq;
  if p_type not in ('call.started', 'call.transcript') then
    insert into public.webhook_deliveries (event_seq, company_id, next_attempt_at)
    select v_seq, w.company_id, now() + make_interval(secs => greatest(coalesce(p_delay_seconds, 0), 0))
      from public.company_webhooks w
     where w.company_id = p_company_id and p_type = any (w.events);
  end if;
  return v_seq;
end
$$;

-- A call's report: session, transcript with per-turn latency, outcome, and its cost split by kind of usage.
create or replace function public.call_report_json(p_call_sid text)
returns jsonb
language plpgsql
stable
as $$
declare
  s public.call_sessions;
  v_transcript jsonb;
  v_latencies numeric[];
  v_cost jsonb;
  v_outcome text;
begin
  select * into s from public.call_sessions where call_sid = p_call_sid;
  if not found then
    return null;
  end if;
  select coalesce(jsonb_agg(jsonb_build_object('seq', t.seq, 'role', t.role, 'text', t.text, 'interrupted', t.interrupted,
                                                'latency', t.latency, 'created_at', t.created_at) order by t.seq), '[]'::jsonb),
         array_agg((t.latency->>'end_of_speech_to_first_output_ms')::numeric order by (t.latency->>'end_of_speech_to_first_output_ms')::numeric)
           filter (where t.latency ? 'end_of_speech_to_first_output_ms')
    into v_transcript, v_latencies
    from public.call_transcripts t where t.call_sid = p_call_sid;

  select jsonb_build_object(
           'currency', 'USD',
           'total_usd', coalesce(sum(u.cost_usd), 0),
           'telephony_usd', coalesce(sum(u.cost_usd) filter (where u.kind = 'telephony'), 0),
           'llm_usd', coalesce(sum(u.cost_usd) filter (where u.kind like 'llm\_%'), 0),
           'realtime_usd', coalesce(sum(u.cost_usd) filter (where u.kind like 'realtime\_%'), 0),
           'messaging_usd', coalesce(sum(u.cost_usd) filter (where u.kind like '%\_message\_%'), 0),
           -- estimate (our rate card) until Twilio publishes the call's price, then provider; null without a telephony charge
           'telephony_price_source', max(u.price_source) filter (where u.kind = 'telephony'),
           'usage', coalesce(jsonb_agg(jsonb_build_object('kind', u.kind, 'quantity', u.quantity, 'unit', u.unit,
                                                          'cost_usd', u.cost_usd, 'price_source', u.price_source)
                                       order by u.occurred_at, u.id) filter (where u.id is not null), '[]'::jsonb))
    into v_cost
    from public.usage_events u where u.call_sid = p_call_sid;

  v_outcome := case
    when s.outcome in ('refused_limit', 'refused_after_hours') then 'refused'
    when exists (select 1 from public.call_transcripts t where t.call_sid = p_call_sid and t.role = 'system' and t.text like 'rescued%') then 'rescued'
    when exists (select 1 from public.taken_messages m where m.call_sid = p_call_sid) then 'message_taken'
    when exists (select 1 from public.conversation_turns ct where ct.call_sid = p_call_sid and ct.action in ('transfer', 'handoff')) then 'transferred'
    when s.outcome = 'not_handled' then 'not_handled'
    when s.status in ('busy', 'failed', 'no-answer', 'canceled') then 'missed'
    else 'answered'
  end;

  return jsonb_build_object(
    'call', jsonb_build_object(
      'call_sid', s.call_sid, 'from_number', s.from_number, 'to_number', s.to_number, 'direction', s.direction,
      'status', s.status, 'voice_path', s.voice_path, 'user_id', s.user_id, 'started_at', s.started_at,
      'answered_at', s.answered_at, 'ended_at', s.ended_at, 'duration_seconds', s.duration_seconds),
    'outcome', v_outcome,
    -- answered | transferred | message_taken | rescued | refused | missed | not_handled; the session's own decision beside it
    'session_outcome', s.outcome,
    'transcript', v_transcript,
    'latency', jsonb_build_object(
      'agent_turns', coalesce(array_length(v_latencies, 1), 0),
      'p50_ms', v_latencies[greatest(1, ceil(coalesce(array_length(v_latencies, 1), 0) * 0.5)::integer)],
      'max_ms', v_latencies[array_length(v_latencies, 1)]),
    'cost', v_cost);
end
$$;

-- call.completed: when a session gets its final status. A deferred trigger runs at commit, so the event sees the
-- telephony usage that record_call_status writes after it updates the session.
create or replace function public.company_events_on_call_final()
returns trigger
language plpgsql
as $$
begin
  if new.ended_at is not null and (tg_op = 'INSERT' or old.ended_at is null)
     and not exists (select 1 from public.company_events e where e.subject = new.call_sid and e.type = 'call.completed') then
    perform public.enqueue_company_event(new.company_id, 'call.completed', new.call_sid, public.call_report_json(new.call_sid));
  end if;
  return null;
end
$$;
create constraint trigger call_sessions_completed_event
  after insert or update of ended_at on public.call_sessions
  deferrable initially deferred
  for each row execute function public.company_events_on_call_final();

-- call.started (live stream only): a session handed to the agent.
create or replace function public.company_events_on_call_start()
returns trigger
language plpgsql
as $$
begin
  if new.outcome = 'connected' and new.ended_at is null then
    perform public.enqueue_company_event(new.company_id, 'call.started', new.call_sid, jsonb_build_object(
      'call_sid', new.call_sid, 'from_number', new.from_number, 'to_number', new.to_number,
      'direction', new.direction, 'voice_path', new.voice_path, 'started_at', new.started_at));
  end if;
  return null;
end
$$;
create trigger call_sessions_started_event
  after insert on public.call_sessions
  for each row execute function public.company_events_on_call_start();

-- call.transcript (live stream only): each transcript line as it is written.
create or replace function public.company_events_on_transcript()
returns trigger
language plpgsql
as $$
begin
  perform public.enqueue_company_event(new.company_id, 'call.transcript', new.call_sid, jsonb_build_object(
    'call_sid', new.call_sid, 'seq', new.seq, 'role', new.role, 'text', new.text, 'interrupted', new.interrupted,
    'latency', new.latency, 'created_at', new.created_at));
  return null;
end
$$;
create trigger call_transcripts_event
  after insert on public.call_transcripts
  for each row execute function public.company_events_on_transcript();

-- call.cost_updated: Twilio's actual price replaced the estimate of a call that was already reported.
create or replace function public.company_events_on_price()
returns trigger
language plpgsql
as $$
begin
  if new.kind = 'telephony' and new.call_sid is not null and old.price_source is distinct from new.price_source
     and new.price_source = 'provider' then
    perform public.enqueue_company_event(new.company_id, 'call.cost_updated', new.call_sid,
      jsonb_build_object('call_sid', new.call_sid, 'estimated_telephony_usd', old.cost_usd,
                         'cost', public.call_report_json(new.call_sid)->'cost'));
  end if;
  return null;
end
$$;
create trigger usage_events_price_event
  after update of price_source on public.usage_events
  for each row execute function public.company_events_on_price();

-- A message the agent took, from any channel.
create or replace function public.taken_message_json(m public.taken_messages)
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object('id', m.id, 'company_id', m.company_id, 'channel', m.channel, 'contact', m.contact,
                            'call_sid', m.call_sid, 'conversation_id', m.conversation_id, 'text', m.text,
                            'created_at', m.created_at)
$$;

create or replace function public.company_events_on_taken_message()
returns trigger
language plpgsql
as $$
begin
  perform public.enqueue_company_event(new.company_id, 'message.taken', new.id::text, public.taken_message_json(new));
  return null;
end
$$;
create trigger taken_messages_event
  after insert on public.taken_messages
  for each row execute function public.company_events_on_taken_message();

-- The text brains mark the agent turn that took a message (action message_taken); the message is what the
-- caller or texter said in the user turn just before it (written by the same statement).
create or replace function public.taken_messages_from_turn()
returns trigger
language plpgsql
as $$
declare
  v_conversation public.conversations;
  v_text text;
begin
  if new.role <> 'agent' or new.action is distinct from 'message_taken' then
    return null;
  end if;
  select * into v_conversation from public.conversations where id = new.conversation_id;
  select t.text into v_text from public.conversation_turns t
   where t.conversation_id = new.conversation_id and t.seq = new.seq - 1 and t.role = 'user';
  if coalesce(btrim(v_text), '') = '' then
    return null;
  end if;
  insert into public.taken_messages (company_id, channel, contact, call_sid, conversation_id, text)
  values (new.company_id, v_conversation.channel, v_conversation.contact, new.call_sid, new.conversation_id, left(v_text, 20000));
  return null;
end
$$;
create trigger conversation_turns_taken_message
  after insert on public.conversation_turns
  for each row execute function public.taken_messages_from_turn();

-- bundle.updated: a change of status or purchase state, or the number bought.
create or replace function public.company_events_on_bundle()
returns trigger
language plpgsql
as $$
begin
  if old.status is distinct from new.status or old.purchase_state is distinct from new.purchase_state
     or old.phone_number is distinct from new.phone_number then
    perform public.enqueue_company_event(new.company_id, 'bundle.updated', new.id::text, jsonb_build_object(
      'id', new.id, 'company_id', new.company_id, 'twilio_bundle_sid', new.twilio_bundle_sid,
      'status', new.status, 'previous_status', old.status,
      'purchase_state', new.purchase_state, 'previous_purchase_state', old.purchase_state,
      'phone_number', new.phone_number, 'failure_reason', new.failure_reason, 'updated_at', new.updated_at));
  end if;
  return null;
end
$$;
create trigger regulatory_bundles_event
  after update on public.regulatory_bundles
  for each row execute function public.company_events_on_bundle();

-- The media path's realtime model takes messages through a tool: it records them here.
create or replace function public.record_taken_message(p_company_id uuid, p_channel text, p_contact text, p_call_sid text, p_text text)
returns jsonb
language plpgsql
as $$
declare
  v_message public.taken_messages;
begin
  if coalesce(btrim(p_text), '') = '' then
    raise exception using errcode = '22023', message = 'A taken message needs its text';
  end if;
  insert into public.taken_messages (company_id, channel, contact, call_sid, text)
  values (p_company_id, p_channel, p_contact, p_call_sid, left(btrim(p_text), 20000))
  returning * into v_message;
  return public.taken_message_json(v_message);
end
$$;

-- Webhook settings.
create or replace function public.company_webhook_json(w public.company_webhooks)
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object('url', w.url, 'events', to_jsonb(w.events), 'secret_hint', 'whsec_…' || right(w.secret, 4),
                            'created_at', w.created_at, 'updated_at', w.updated_at)
$$;

create or replace function public.put_company_webhook(p_company_id uuid, p_url text, p_events text[], p_secret text)
returns jsonb
language plpgsql
as $$
declare
  v_webhook public.company_webhooks;
begin
  insert into public.company_webhooks as w (company_id, url, events, secret)
  values (p_company_id, p_url, p_events, p_secret)
  on conflict (company_id) do update set url = excluded.url, events = excluded.events, secret = excluded.secret, updated_at = now()
  returning * into v_webhook;
  return public.company_webhook_json(v_webhook);
end
$$;

create or replace function public.get_company_webhook(p_company_id uuid)
returns jsonb
language sql
stable
as $$
  select public.company_webhook_json(w) from public.company_webhooks w where w.company_id = p_company_id
$$;

-- Removing the endpoint cancels what was still waiting for it.
create or replace function public.delete_company_webhook(p_company_id uuid)
returns jsonb
language plpgsql
as $$
declare
  v_deleted integer;
begin
  delete from public.company_webhooks where company_id = p_company_id;
  get diagnostics v_deleted = row_count;
  update public.webhook_deliveries set state = 'canceled', lease_owner = null, lease_until = null, updated_at = now()
   where company_id = p_company_id and state = 'pending';
  return jsonb_build_object('deleted', v_deleted > 0);
end
$$;

-- Recent deliveries, newest first, with their attempts.
create or replace function public.list_webhook_deliveries(p_company_id uuid, p_limit integer)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(x.j order by x.created_at desc, x.id desc), '[]'::jsonb)
    from (select d.created_at, d.id, jsonb_build_object(
                   'id', d.id, 'event_id', e.id, 'event_type', e.type, 'state', d.state, 'attempts', d.attempts,
                   'next_attempt_at', case when d.state = 'pending' then d.next_attempt_at end,
                   'last_status_code', d.last_status_code, 'last_error', d.last_error, 'delivered_at', d.delivered_at,
                   'created_at', d.created_at,
                   'attempt_log', coalesce((select jsonb_agg(jsonb_build_object(
                                              'attempt', a.attempt, 'status_code', a.status_code, 'error', a.error,
                                              'duration_ms', a.duration_ms, 'attempted_at', a.attempted_at) order by a.attempt)
                                             from public.webhook_delivery_attempts a where a.delivery_id = d.id), '[]'::jsonb)) as j
            from public.webhook_deliveries d
            join public.company_events e on e.seq = d.event_seq
           where d.company_id = p_company_id
           order by d.created_at desc, d.id desc
           limit greatest(least(p_limit, 200), 1)) x
$$;

-- Claims due deliveries for one worker: at most one per company (a slow or failing endpoint holds one slot, never
-- another company's), SKIP LOCKED and a lease, so instances never send the same attempt at once and a crashed
-- worker's claims come back when the lease runs out. Returns what the worker needs to sign and send.
create or replace function public.claim_webhook_deliveries(p_owner text, p_limit integer, p_lease_seconds integer)
returns jsonb
language sql
as $$
  with candidates as (
    select distinct on (d.company_id) d.id
      from public.webhook_deliveries d
     where d.state = 'pending' and d.next_attempt_at <= now()
       and (d.lease_until is null or d.lease_until < now())
       and not exists (select 1 from public.webhook_deliveries busy
                        where busy.company_id = d.company_id and busy.state = 'pending' and busy.lease_until >= now())
     order by d.company_id, d.next_attempt_at, d.event_seq),
  due as (
    select d.id
      from public.webhook_deliveries d
     where d.id in (select id from candidates)
       and d.state = 'pending' and (d.lease_until is null or d.lease_until < now())
     order by d.next_attempt_at
     limit greatest(p_limit, 0)
       for update skip locked),
  claimed as (
    update public.webhook_deliveries d
       set lease_owner = p_owner,
           lease_until = now() + make_interval(secs => p_lease_seconds),
           attempts = d.attempts + 1,
           updated_at = now()
      from due
     where d.id = due.id
    returning d.id, d.event_seq, d.company_id, d.attempts)
  select coalesce(jsonb_agg(jsonb_build_object(
           'delivery_id', c.id, 'attempt', c.attempts, 'url', w.url, 'secret', w.secret,
           'event', jsonb_build_object('id', e.id, 'type', e.type, 'created_at', e.created_at, 'company_id', e.company_id, 'data', e.data))
           order by e.seq), '[]'::jsonb)
    from claimed c
    join public.company_events e on e.seq = c.event_seq
    join public.company_webhooks w on w.company_id = c.company_id
$$;

-- The result of one attempt, applied only by the lease holder: delivered, retry after a delay, or give up.
create or replace function public.finish_webhook_delivery(
  p_delivery_id uuid, p_owner text, p_result text, p_url text, p_status_code integer default null, p_error text default null,
  p_duration_ms integer default null, p_retry_after_seconds numeric default null)
returns jsonb
language plpgsql
as $$
declare
  v_delivery public.webhook_deliveries;
begin
  if p_result not in ('delivered', 'retry', 'failed') then
    raise exception using errcode = '22023', message = format('Unknown delivery result %s', p_result);
  end if;
  update public.webhook_deliveries
     set state = case p_result when 'delivered' then 'delivered' when 'failed' then 'failed' else 'pending' end,
         next_attempt_at = case when p_result = 'retry' then now() + make_interval(secs => greatest(coalesce(p_retry_after_seconds, 60), 0)) else next_attempt_at end,
         delivered_at = case when p_result = 'delivered' then now() end,
         last_status_code = p_status_code,
         last_error = left(p_error, 500),
         lease_owner = null,
         lease_until = null,
         updated_at = now()
   where id = p_delivery_id and lease_owner = p_owner and state = 'pending'
  returning * into v_delivery;
  if not found then
    return jsonb_build_object('delivery_id', p_delivery_id, 'applied', false);
  end if;
  insert into public.webhook_delivery_attempts (delivery_id, attempt, url, status_code, error, duration_ms)
  values (p_delivery_id, v_delivery.attempts, p_url, p_status_code, left(p_error, 500), p_duration_ms);
  return jsonb_build_object('delivery_id', p_delivery_id, 'applied', true, 'state', v_delivery.state, 'attempts', v_delivery.attempts);
end
$$;

-- The live stream: one company's events after a sequence number (resumption with Last-Event-ID) ...
create or replace function public.list_company_events(p_company_id uuid, p_after_seq bigint, p_limit integer)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object('seq', e.seq, 'id', e.id, 'type', e.type, 'created_at', e.created_at,
                                               'company_id', e.company_id, 'data', e.data) order by e.seq), '[]'::jsonb)
    from (select * from public.company_events
           where company_id = p_company_id and seq > coalesce(p_after_seq, 0)
           order by seq limit greatest(least(p_limit, 1000), 1)) e
$$;

-- ... and every company's recent events, for the one poller of an instance that fans them out to its streams.
-- Rows committed late with a lower seq are caught by re-reading a short window before the highest seq seen.
create or replace function public.list_recent_company_events(p_after_seq bigint, p_window integer, p_limit integer)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'head', (select coalesce(max(seq), 0) from public.company_events),
    'events', coalesce((select jsonb_agg(jsonb_build_object('seq', e.seq, 'id', e.id, 'type', e.type, 'created_at', e.created_at,
                                                            'company_id', e.company_id, 'data', e.data) order by e.seq)
                          from (select * from public.company_events
                                 where p_after_seq is not null and seq > p_after_seq - greatest(coalesce(p_window, 0), 0)
                                 order by seq limit greatest(least(p_limit, 5000), 1)) e), '[]'::jsonb))
$$;

-- Live-only events older than a day have served their purpose. Bounded per run.
create or replace function public.prune_live_company_events(p_keep_hours integer, p_limit integer)
returns jsonb
language plpgsql
as $$
declare
  v_deleted integer;
begin
  delete from public.company_events
   where seq in (select seq from public.company_events
                  where type in ('call.started', 'call.transcript')
                    and created_at < now() - make_interval(hours => greatest(p_keep_hours, 1))
                  order by created_at limit greatest(p_limit, 0));
  get diagnostics v_deleted = row_count;
  return jsonb_build_object('deleted', v_deleted);
end
$$;

-- Messages taken, newest first, cursor-paged like calls.
create or replace function public.list_taken_messages(p_company_id uuid, p_limit integer, p_before_created_at timestamptz default null, p_before_id uuid default null)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(public.taken_message_json(m) order by m.created_at desc, m.id desc), '[]'::jsonb)
    from (select * from public.taken_messages m
           where m.company_id = p_company_id
             and (p_before_created_at is null or (m.created_at, m.id) < (p_before_created_at, p_before_id))
           order by m.created_at desc, m.id desc
           limit greatest(least(p_limit, 201), 1)) m
$$;

-- SMS and WhatsApp threads, most recently active first, each with its latest turns (oldest first).
create or replace function public.list_company_conversations(
  p_company_id uuid, p_channel text, p_limit integer, p_turns integer,
  p_before_updated_at timestamptz default null, p_before_id uuid default null)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'company_id', c.company_id, 'channel', c.channel, 'contact', c.contact, 'user_id', c.user_id,
           'created_at', c.created_at, 'updated_at', c.updated_at,
           'turn_count', (select count(*) from public.conversation_turns t where t.conversation_id = c.id),
           'turns', coalesce((select jsonb_agg(jsonb_build_object('seq', t.seq, 'role', t.role, 'text', t.text, 'action', t.action,
                                                                  'brain', t.brain, 'created_at', t.created_at) order by t.seq)
                                from (select * from public.conversation_turns t
                                       where t.conversation_id = c.id order by t.seq desc
                                       limit greatest(least(p_turns, 200), 0)) t), '[]'::jsonb))
           order by c.updated_at desc, c.id desc), '[]'::jsonb)
    from (select * from public.conversations c
           where c.company_id = p_company_id
             and c.channel in ('sms', 'whatsapp')
             and (p_channel is null or c.channel = p_channel)
             and (p_before_updated_at is null or (c.updated_at, c.id) < (p_before_updated_at, p_before_id))
           order by c.updated_at desc, c.id desc
           limit greatest(least(p_limit, 201), 1)) c
$$;

do $$
declare f text;
begin
  foreach f in array array[
    'public.enqueue_company_event(uuid, text, text, jsonb, integer)',
    'public.call_report_json(text)',
    'public.company_events_on_call_final()',
    'public.company_events_on_call_start()',
    'public.company_events_on_transcript()',
    'public.company_events_on_price()',
    'public.taken_message_json(public.taken_messages)',
    'public.company_events_on_taken_message()',
    'public.taken_messages_from_turn()',
    'public.company_events_on_bundle()',
    'public.record_taken_message(uuid, text, text, text, text)',
    'public.company_webhook_json(public.company_webhooks)',
    'public.put_company_webhook(uuid, text, text[], text)',
    'public.get_company_webhook(uuid)',
    'public.delete_company_webhook(uuid)',
    'public.list_webhook_deliveries(uuid, integer)',
    'public.claim_webhook_deliveries(text, integer, integer)',
    'public.finish_webhook_delivery(uuid, text, text, text, integer, text, integer, numeric)',
    'public.list_company_events(uuid, bigint, integer)',
    'public.list_recent_company_events(bigint, integer, integer)',
    'public.prune_live_company_events(integer, integer)',
    'public.list_taken_messages(uuid, integer, timestamptz, uuid)',
    'public.list_company_conversations(uuid, text, integer, integer, timestamptz, uuid)']
  loop
    execute format('revoke execute on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
