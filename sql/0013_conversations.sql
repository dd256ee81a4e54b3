-- Conversations with the agent (issue 3): one per company, channel and contact, so a texter (or a caller) continues
-- where they left off; their turns; and the usage the agent causes (LLM tokens, messages) in usage_events.

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null references public.companies (id) on delete cascade,
  channel text not null check (channel in ('voice', 'sms', 'whatsapp')),
  contact text not null check (length(contact) between 1 and 64),
  user_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (company_id, channel, contact)
);

create table public.conversation_turns (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  company_id uuid not null references public.companies (id) on delete cascade,
  seq integer not null,
  role text not null check (role in ('user', 'agent')),
  text text not null,
  -- what the agent did with the turn (answer, no_answer, offer_transfer, take_message, transfer, end_call, ...)
  action text,
  brain text check (brain is null or brain in ('knowledge', 'openai')),
  call_sid text,
  -- the inbound message's id (MessageSid): a redelivered message is not stored twice
  turn_key text,
  created_at timestamptz not null default now(),
  unique (conversation_id, seq)
);
create unique index conversation_turns_key_idx on public.conversation_turns (conversation_id, turn_key, role) where turn_key is not null;
create index conversation_turns_recent_idx on public.conversation_turns (conversation_id, seq desc);

do $$
declare t text;
begin
  foreach t in array array['conversations', 'conversation_turns']
  loop
    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on table public.%I from public, anon, authenticated', t);
    execute format('grant all on table public.%I to service_role', t);
  end loop;
end
$$;

-- Everything a turn needs, in one round trip: the configuration, the best passages for the input, and the
-- recent history of this contact's conversation (oldest first; only turns newer than p_history_hours; on a call,
-- only this call's turns, so that a new call never inherits the state of the last one).
create or replace function public.get_agent_context(p_company_id uuid, p_channel text, p_contact text, p_call_sid text, p_text text,
                                                    p_passages integer, p_history_turns integer, p_history_hours integer)
returns jsonb
language plpgsql
stable
as $$
declare
  v_config jsonb := public.agent_config_json(p_company_id);
  v_ts regconfig := public.knowledge_ts_config(v_config->>'language');
begin
  return jsonb_build_object(
    'config', v_config,
    'passages', case when p_passages > 0 then public.knowledge_search_results(p_company_id, v_ts, p_text, p_passages) else '[]'::jsonb end,
    'history', coalesce((
      select jsonb_agg(jsonb_build_object('role', h.role, 'text', h.text, 'action', h.action, 'created_at', h.created_at) order by h.seq)
        from (select t.seq, t.role, t.text, t.action, t.created_at
                from public.conversations c
                join public.conversation_turns t on t.conversation_id = c.id
               where c.company_id = p_company_id and c.channel = p_channel and c.contact = p_contact
                 and t.created_at > now() - make_interval(hours => greatest(p_history_hours, 0))
                 and (p_call_sid is null or t.call_sid = p_call_sid)
               order by t.seq desc
               limit greatest(p_history_turns, 0)) h), '[]'::jsonb));
end
$$;

-- Inserts usage events once per idempotency key. p_events: [{ kind, quantity, unit, idempotency_key, cost_usd? }].
create or replace function public.record_agent_usage(p_company_id uuid, p_user_id uuid, p_call_sid text, p_events jsonb)
returns jsonb
language sql
as $$
  with inserted as (
    insert into public.usage_events (company_id, user_id, call_sid, kind, quantity, unit, cost_usd, idempotency_key)
    select p_company_id, p_user_id, p_call_sid, e->>'kind', (e->>'quantity')::numeric, e->>'unit',
           coalesce((e->>'cost_usd')::numeric, 0), e->>'idempotency_key'
      from jsonb_array_elements(coalesce(p_events, '[]'::jsonb)) e
    on conflict (idempotency_key) do nothing
    returning 1
  )
  select jsonb_build_object('recorded', (select count(*) from inserted))
$$;

-- Appends a turn pair (and its usage) to the contact's conversation, creating it on first contact.
-- p_turns: [{ role, text, action?, brain? }]. With p_turn_key, a redelivery of the same message stores nothing twice.
create or replace function public.record_conversation_turns(p_company_id uuid, p_channel text, p_contact text, p_user_id uuid,
                                                            p_call_sid text, p_turn_key text, p_turns jsonb, p_usage jsonb)
returns jsonb
language plpgsql
as $$
declare
  v_conversation uuid;
  v_next integer;
  v_stored integer := 0;
begin
  -- The upsert locks the conversation row, so concurrent turns of one contact get distinct sequence numbers.
  insert into public.conversations as c (company_id, channel, contact, user_id)
  values (p_company_id, p_channel, p_contact, p_user_id)
  on conflict (company_id, channel, contact) do update set updated_at = now(), user_id = coalesce(excluded.user_id, c.user_id)
  returning id into v_conversation;

  if p_turn_key is null or not exists (select 1 from public.conversation_turns
                                        where conversation_id = v_conversation and turn_key = p_turn_key) then
    select coalesce(max(seq), 0) + 1 into v_next from public.conversation_turns where conversation_id = v_conversation;
    insert into public.conversation_turns (conversation_id, company_id, seq, role, text, action, brain, call_sid, turn_key)
    select v_conversation, p_company_id, v_next + (x.ord - 1)::integer, x.value->>'role', x.value->>'text',
           x.value->>'action', x.value->>'brain', p_call_sid, p_turn_key
      from jsonb_array_elements(coalesce(p_turns, '[]'::jsonb)) with ordinality as x(value, ord);
    get diagnostics v_stored = row_count;
  end if;

  perform public.record_agent_usage(p_company_id, p_user_id, p_call_sid, p_usage);
  return jsonb_build_object('conversation_id', v_conversation, 'stored_turns', v_stored);
end
$$;

create or replace function public.list_conversation_turns(p_company_id uuid, p_channel text, p_contact text)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object('seq', t.seq, 'role', t.role, 'text', t.text, 'action', t.action,
                                               'brain', t.brain, 'call_sid', t.call_sid, 'created_at', t.created_at)
                            order by t.seq), '[]'::jsonb)
    from public.conversations c
    join public.conversation_turns t on t.conversation_id = c.id
   where c.company_id = p_company_id and c.channel = p_channel and c.contact = p_contact
$$;

revoke execute on function public.get_agent_context(uuid, text, text, text, text, integer, integer, integer) from public, anon, authenticated;
revoke execute on function public.record_agent_usage(uuid, uuid, text, jsonb) from public, anon, authenticated;
revoke execute on function public.record_conversation_turns(uuid, text, text, uuid, text, text, jsonb, jsonb) from public, anon, authenticated;
revoke execute on function public.list_conversation_turns(uuid, text, text) from public, anon, authenticated;
grant execute on function public.get_agent_context(uuid, text, text, text, text, integer, integer, integer) to service_role;
grant execute on function public.record_agent_usage(uuid, uuid, text, jsonb) to service_role;
grant execute on function public.record_conversation_turns(uuid, text, text, uuid, text, text, jsonb, jsonb) to service_role;
grant execute on function public.list_conversation_turns(uuid, text, text) to service_role;
