-- Issue 13, part 5: the phone-number lookup order and the agent-configuration defaults, each defined once.
--
-- Until now resolve_phone_number, open_call_session and record_call_status each wrote the lookup order out
-- (phone_numbers decides the company, else the earliest phone_number_users link), and agent_configs' column
-- defaults, agent_config_json, save_agent_config, open_call_session, open_agent_session, get_call_handoff_target
-- and company_ts_config each repeated the defaults ('Assistant', 'es-MX', 'conversation_relay', 'knowledge').
-- Here the order lives in match_phone_number, the defaults in agent_config_defaults, a company's effective
-- configuration (its saved row, or the defaults) in company_agent_config, and every function that repeated them is
-- redefined from its latest body (0002, 0085, 0021, 0051, 0080, 0091, 0012) to read them instead.
-- test/sql-single-definitions.spec.ts checks that each literal and clause appears in one function only.

-- The configuration of a company that never saved one: every configurable field of agent_configs, by name.
-- Stable, not immutable, so that a redefinition reaches callers whose plans are cached.
create or replace function public.agent_config_defaults()
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'name', 'Assistant',
    'language', 'es-MX',
    'greeting', null,
    'instructions', null,
    'voice', null,
    'tts_provider', null,
    'realtime_voice', null,
    'voice_path', 'conversation_relay',
    'brain', 'knowledge',
    'model', null,
    'transfer_number', null,
    'fallback_number', null,
    'business_hours', null,
    'max_concurrent_calls', null)
$$;

-- A company's configuration as every reader sees it: its saved row, or a row of the defaults (updated_at null).
-- One row, whether or not the company exists (callers that must know check companies themselves).
create or replace function public.company_agent_config(p_company_id uuid)
returns setof public.agent_configs
language sql
stable
as $$
  select a.* from public.agent_configs a where a.company_id = p_company_id
  union all
  select d.*
    from jsonb_populate_record(null::public.agent_configs,
                               public.agent_config_defaults() || jsonb_build_object('company_id', p_company_id)) d
   where not exists (select 1 from public.agent_configs a where a.company_id = p_company_id)
$$;

-- A row inserted without a field (tests, the SQL editor) gets the same default as a company without a row.
do $$
declare
  v_field text;
begin
  for v_field in select jsonb_object_keys(public.agent_config_defaults())
  loop
    execute format(
      'alter table public.agent_configs alter column %I set default '
      '(jsonb_populate_record(null::public.agent_configs, public.agent_config_defaults())).%I', v_field, v_field);
  end loop;
end
$$;

-- The lookup order: phone_numbers decides the company; a number only linked to users falls back to its earliest
-- phone_number_users link. Either way the user is that earliest link (cost attribution). No row: nobody has it.
create or replace function public.match_phone_number(p_phone_number text)
returns table (company_id uuid, user_id uuid, matched_table text)
language sql
stable
as $$
  select coalesce(pn.company_id, u.company_id),
         u.user_id,
         case when pn.company_id is not null then 'phone_numbers' else 'phone_number_users' end
    from (select p_phone_number as phone_number) n
    left join public.phone_numbers pn on pn.phone_number = n.phone_number
    left join lateral (select x.company_id, x.user_id
                         from public.phone_number_users x
                        where x.phone_number = n.phone_number
                        order by x.created_at, x.user_id
                        limit 1) u on true
   where pn.company_id is not null or u.company_id is not null
$$;

-- 0002's body on match_phone_number.
create or replace function public.resolve_phone_number(p_phone_number text)
returns jsonb
language plpgsql
stable
as $$
declare
  result jsonb;
begin
  -- plpgsql keeps the plan of this statement for the session: this runs on every call and message.
  select jsonb_build_object(
           'phone_number', p_phone_number,
           'company_id', m.company_id,
           'company_name', c.name,
           'user_id', m.user_id,
           'matched_table', m.matched_table,
           'twilio_sid', pn.twilio_sid,
           'webhook_state', pn.webhook_state,
           'voice_url', pn.voice_url,
           'sms_url', pn.sms_url,
           'status_callback_url', pn.status_callback_url)
    into result
    from public.match_phone_number(p_phone_number) m
    join public.companies c on c.id = m.company_id
    -- A number in phone_numbers always matched there, so a user-only match finds no row here.
    left join public.phone_numbers pn on pn.phone_number = p_phone_number;
  return result;
end
$$;

-- 0051's body on company_agent_config.
create or replace function public.agent_config_json(p_company_id uuid)
returns jsonb
language plpgsql
stable
as $$
declare
  v_result jsonb;
begin
  select jsonb_build_object(
           'company_id', c.id,
           'name', a.name,
           'language', a.language,
           'greeting', a.greeting,
           'instructions', a.instructions,
           'voice', a.voice,
           'tts_provider', a.tts_provider,
           'realtime_voice', a.realtime_voice,
           'voice_path', a.voice_path,
           'brain', a.brain,
           'model', a.model,
           'transfer_number', a.transfer_number,
           'fallback_number', a.fallback_number,
           'business_hours', a.business_hours,
           'max_concurrent_calls', a.max_concurrent_calls,
           'updated_at', a.updated_at)
    into v_result
    from public.companies c
    cross join lateral public.company_agent_config(c.id) a
   where c.id = p_company_id;
  if v_result is null then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  return v_result;
end
$$;

-- 0051's body with agent_config_defaults: PUT starts from the defaults.
create or replace function public.save_agent_config(p_company_id uuid, p_config jsonb, p_replace boolean)
returns jsonb
language plpgsql
as $$
declare
  v_current jsonb := public.agent_config_json(p_company_id);
  v_next jsonb;
  v_old_config regconfig;
  v_new_config regconfig;
begin
  if p_replace then
    v_next := public.agent_config_defaults() || jsonb_strip_nulls(p_config);
  else
    v_next := v_current || p_config;
  end if;
  -- Required fields cannot be cleared.
  v_next := v_next || jsonb_strip_nulls(jsonb_build_object(
    'name', case when v_next->>'name' is null then v_current->>'name' end,
    'language', case when v_next->>'language' is null then v_current->>'language' end,
    'voice_path', case when v_next->>'voice_path' is null then v_current->>'voice_path' end,
    'brain', case when v_next->>'brain' is null then v_current->>'brain' end));

  insert into public.agent_configs as a (company_id, name, language, greeting, instructions, voice, tts_provider,
                                         realtime_voice, voice_path, brain, model, transfer_number, fallback_number,
                                         business_hours, max_concurrent_calls, updated_at)
  values (p_company_id, v_next->>'name', v_next->>'language', v_next->>'greeting', v_next->>'instructions',
          v_next->>'voice', v_next->>'tts_provider', v_next->>'realtime_voice', v_next->>'voice_path', v_next->>'brain',
          v_next->>'model', v_next->>'transfer_number',
          v_next->>'fallback_number', nullif(v_next->'business_hours', 'null'::jsonb),
          (v_next->>'max_concurrent_calls')::integer, now())
  on conflict (company_id) do update set
    name = excluded.name, language = excluded.language, greeting = excluded.greeting,
    instructions = excluded.instructions, voice = excluded.voice, tts_provider = excluded.tts_provider,
    realtime_voice = excluded.realtime_voice, voice_path = excluded.voice_path,
    brain = excluded.brain, model = excluded.model, transfer_number = excluded.transfer_number,
    fallback_number = excluded.fallback_number, business_hours = excluded.business_hours,
    max_concurrent_calls = excluded.max_concurrent_calls, updated_at = now();

  v_old_config := public.knowledge_ts_config(v_current->>'language');
  v_new_config := public.knowledge_ts_config(v_next->>'language');
  if v_old_config <> v_new_config then
    update public.knowledge_entries set ts_config = v_new_config, updated_at = now()
     where company_id = p_company_id and ts_config <> v_new_config;
  end if;
  return public.agent_config_json(p_company_id);
end
$$;

-- 0012's body on company_agent_config.
create or replace function public.company_ts_config(p_company_id uuid)
returns regconfig
language sql
stable
as $$
  select public.knowledge_ts_config(a.language) from public.company_agent_config(p_company_id) a
$$;

-- 0085's body on match_phone_number and company_agent_config.
create or replace function public.open_call_session(
  p_call_sid text,
  p_to text,
  p_from text,
  p_path_company_id uuid,
  p_direction text default 'inbound',
  p_account_sid text default null)
returns jsonb
language plpgsql
as $$
declare
  v_session public.call_sessions;
  v_config public.agent_configs;
  v_company uuid;
  v_user uuid;
  v_matched text;
  v_outcome text := 'connected';
  v_live integer;
  v_created boolean := false;
begin
  if p_call_sid is null or btrim(p_call_sid) = '' then
    raise exception using errcode = '22023', message = 'CallSid is required';
  end if;
  -- The caller is waiting on this answer: don't wait for the WAL flush. A server crash may lose the last
  -- fraction of a second of new sessions, never corrupt anything, and a lost session is rebuilt: the voice
  -- gateway opens it again when the stream connects, and the status callback records the call and its cost.
  perform set_config('synchronous_commit', 'off', true);

  select * into v_session from public.call_sessions where call_sid = p_call_sid;
  if not found then
    select m.company_id, m.user_id, m.matched_table
      into v_company, v_user, v_matched
      from public.match_phone_number(p_to) m;
    -- The webhook URL's company answers for a number nobody has (a number configured by hand in Twilio).
    if v_company is null and p_path_company_id is not null
       and exists (select 1 from public.companies where id = p_path_company_id) then
      v_company := p_path_company_id;
      v_matched := 'path';
    end if;
    if v_company is null then
      return jsonb_build_object('outcome', 'unknown_company', 'created', false, 'path_company_id', p_path_company_id);
    end if;

    select * into v_config from public.company_agent_config(v_company);
    -- An after-hours call is stored refused from the start, so it never counts as a live call against the limit.
    if not public.within_business_hours(v_config.business_hours, now()) then
      v_outcome := 'refused_after_hours';
    elsif v_config.max_concurrent_calls is not null then
      -- Calls of one company are counted one webhook at a time, so two calls cannot both take the last place.
      perform pg_advisory_xact_lock(hashtextextended('call_sessions_live:' || v_company::text, 0));
      -- A session whose final status never arrived stops counting after Twilio's longest call (4 hours).
      select count(*) into v_live
        from public.call_sessions
       where company_id = v_company and ended_at is null and outcome = 'connected'
         and started_at > now() - interval '4 hours';
      if v_live >= v_config.max_concurrent_calls then
        v_outcome := 'refused_limit';
      end if;
    end if;

    insert into public.call_sessions (call_sid, company_id, user_id, from_number, to_number, direction, status,
                                      voice_path, account_sid, path_company_id, matched_table, company_mismatch, outcome)
    values (p_call_sid, v_company, v_user, p_from, p_to, coalesce(p_direction, 'inbound'), 'ringing',
            v_config.voice_path, p_account_sid, p_path_company_id, v_matched,
            p_path_company_id is not null and v_matched <> 'path' and p_path_company_id <> v_company, v_outcome)
    on conflict (call_sid) do nothing
    returning * into v_session;
    if found then
      v_created := true;
    else
      select * into v_session from public.call_sessions where call_sid = p_call_sid;
    end if;
  end if;

  -- A retry (or a lost race) answers with the configuration of the session's company.
  if not v_created then
    select * into v_config from public.company_agent_config(v_session.company_id);
  end if;
  return public.call_session_json(v_session) || jsonb_build_object(
    'created', v_created,
    'config', jsonb_build_object(
      'name', v_config.name,
      'language', v_config.language,
      'voice', v_config.voice,
      'tts_provider', v_config.tts_provider,
      'realtime_voice', v_config.realtime_voice,
      'greeting', v_config.greeting,
      'voice_path', v_config.voice_path,
      'transfer_number', v_config.transfer_number,
      'fallback_number', v_config.fallback_number,
      'business_hours', v_config.business_hours,
      'max_concurrent_calls', v_config.max_concurrent_calls));
end
$$;

-- 0080's body on company_agent_config.
create or replace function public.open_agent_session(
  p_jti uuid, p_call_sid text, p_company_id uuid, p_kind text, p_expires_at timestamptz, p_knowledge_chars integer default 6000,
  p_user_id uuid default null, p_from text default null, p_to text default null)
returns jsonb
language plpgsql
as $$
declare
  v_session public.call_sessions%rowtype;
  v_company_name text;
  v_profile jsonb;
  v_knowledge jsonb := '[]'::jsonb;
begin
  if p_kind not in ('conversation_relay', 'media_stream') then
    raise exception using errcode = '22023', message = 'kind must be conversation_relay or media_stream';
  end if;
  select name into v_company_name from public.companies where id = p_company_id;
  if v_company_name is null then
    raise exception using errcode = 'P0002', message = 'The company of this stream token no longer exists';
  end if;
  perform public.claim_stream_token(p_jti, p_call_sid, p_kind, p_expires_at);

  -- The signed token carries what the incoming-call webhook knew (user, numbers): a session lost with a database
  -- crash after the caller heard <Connect> is rebuilt complete, and a surviving one only gains what it lacked.
  insert into public.call_sessions (call_sid, company_id, user_id, from_number, to_number, voice_path, status)
  values (p_call_sid, p_company_id, p_user_id, p_from, p_to, p_kind, 'in-progress')
  on conflict (call_sid) do update
     set user_id = coalesce(public.call_sessions.user_id, excluded.user_id),
         from_number = coalesce(public.call_sessions.from_number, excluded.from_number),
         to_number = coalesce(public.call_sessions.to_number, excluded.to_number),
         updated_at = now()
   where public.call_sessions.company_id = excluded.company_id
     and (public.call_sessions.user_id is null or public.call_sessions.from_number is null or public.call_sessions.to_number is null);
  select * into v_session from public.call_sessions where call_sid = p_call_sid;
  if v_session.company_id <> p_company_id then
    raise exception using errcode = '22023', message = 'The call session belongs to another company than the stream token';
  end if;

  select jsonb_build_object(
           'name', a.name,
           'language', a.language,
           'greeting', a.greeting,
           'instructions', a.instructions,
           'voice', a.voice,
           'tts_provider', a.tts_provider,
           'realtime_voice', a.realtime_voice,
           'voice_path', a.voice_path,
           'transfer_number', a.transfer_number,
           'fallback_number', a.fallback_number)
    into v_profile
    from public.company_agent_config(p_company_id) a;

  if p_kind = 'media_stream' then
    select coalesce(jsonb_agg(jsonb_build_object('title', k.title, 'content', k.content) order by k.created_at, k.id), '[]'::jsonb)
      into v_knowledge
      from (select e.id, e.title, e.content, e.created_at,
                   sum(length(e.title) + length(e.content)) over (order by e.created_at, e.id) as running
              from public.knowledge_entries e
             where e.company_id = p_company_id) k
     where k.running <= greatest(coalesce(p_knowledge_chars, 0), 0);
  end if;

  return jsonb_build_object(
    'call_sid', v_session.call_sid,
    'company_id', v_session.company_id,
    'company_name', v_company_name,
    'user_id', v_session.user_id,
    'from_number', v_session.from_number,
    'to_number', v_session.to_number,
    'profile', v_profile,
    'knowledge', v_knowledge);
end
$$;

-- 0091's body on company_agent_config.
create or replace function public.get_call_handoff_target(p_call_sid text)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'call_sid', s.call_sid, 'company_id', s.company_id,
    'language', c.language,
    'transfer_number', c.transfer_number, 'fallback_number', c.fallback_number,
    'rescue_requested', s.rescue_requested_at is not null)
    from public.call_sessions s
    cross join lateral public.company_agent_config(s.company_id) c
   where s.call_sid = p_call_sid
$$;

-- 0021's body on match_phone_number. A call found this way now records the table that matched (0021 wrote
-- 'phone_numbers' for a number only linked to a user) and the earliest user link (0021 took any).
create or replace function public.record_call_status(
  p_call_sid text,
  p_status text,
  p_sequence_number integer default null,
  p_event_at timestamptz default null,
  p_duration_seconds integer default null,
  p_to text default null,
  p_from text default null,
  p_account_sid text default null,
  p_rate_per_minute_usd numeric default 0,
  p_rate_country text default null,
  p_price_first_attempt_seconds integer default 120)
returns jsonb
language plpgsql
as $$
declare
  v_session public.call_sessions;
  v_final constant text[] := array['completed', 'busy', 'failed', 'no-answer', 'canceled'];
  v_rank constant text[] := array['queued', 'initiated', 'ringing', 'in-progress'];
  v_is_final boolean;
  v_applied boolean;
  v_event_id bigint;
  v_minutes integer;
  v_usage_id uuid;
  v_company uuid;
  v_user uuid;
  v_matched text;
begin
  if p_status is null or not (p_status = any (v_final || v_rank)) then
    raise exception using errcode = '22023', message = format('CallStatus must be one of %s, got %s', array_to_string(v_rank || v_final, ', '), coalesce(p_status, 'nothing'));
  end if;
  if p_duration_seconds is not null and p_duration_seconds < 0 then
    raise exception using errcode = '22023', message = 'CallDuration must not be negative';
  end if;
  v_is_final := p_status = any (v_final);

  select * into v_session from public.call_sessions where call_sid = p_call_sid for update;
  if not found then
    -- A call whose webhook we never answered (it failed, or the number pointed elsewhere): keep its cost when
    -- the dialed number is ours.
    select m.company_id, m.user_id, m.matched_table into v_company, v_user, v_matched
      from public.match_phone_number(p_to) m;
    if v_company is null then
      return jsonb_build_object('found', false, 'call_sid', p_call_sid);
    end if;
    insert into public.call_sessions (call_sid, company_id, user_id, from_number, to_number, status, account_sid, outcome, matched_table)
    values (p_call_sid, v_company, v_user, p_from, p_to, 'initiated', p_account_sid, 'not_handled', v_matched)
    on conflict (call_sid) do nothing;
    select * into v_session from public.call_sessions where call_sid = p_call_sid for update;
  end if;

  v_applied := case
    when v_session.status = any (v_final) then false
    when v_is_final then true
    when p_sequence_number is not null and v_session.last_sequence_number is not null
      then p_sequence_number > v_session.last_sequence_number
    when p_event_at is not null and v_session.status_at is not null then p_event_at > v_session.status_at
    else array_position(v_rank, p_status) > array_position(v_rank, v_session.status)
  end;

  insert into public.call_status_events (call_sid, company_id, status, sequence_number, event_at, duration_seconds, applied)
  values (p_call_sid, v_session.company_id, p_status, p_sequence_number, p_event_at, p_duration_seconds, v_applied)
  on conflict on constraint call_status_events_once do nothing
  returning id into v_event_id;
  if v_event_id is null then
    return public.call_session_json(v_session) || jsonb_build_object('found', true, 'duplicate', true, 'applied', false);
  end if;
  if not v_applied then
    return public.call_session_json(v_session) || jsonb_build_object('found', true, 'duplicate', false, 'applied', false);
  end if;

  update public.call_sessions
     set status = p_status,
         status_at = coalesce(p_event_at, now()),
         last_sequence_number = greatest(last_sequence_number, p_sequence_number),
         account_sid = coalesce(account_sid, p_account_sid),
         answered_at = case
           when answered_at is not null then answered_at
           when p_status = 'in-progress' then coalesce(p_event_at, now())
           when p_status = 'completed' and coalesce(p_duration_seconds, 0) > 0
             then coalesce(p_event_at, now()) - make_interval(secs => p_duration_seconds)
         end,
         ended_at = case when v_is_final then coalesce(p_event_at, now()) end,
         duration_seconds = case when v_is_final then coalesce(p_duration_seconds, 0) end,
         updated_at = now()
   where call_sid = p_call_sid
  returning * into v_session;

  if p_status = 'completed' then
    v_minutes := ceil(coalesce(p_duration_seconds, 0) / 60.0);
    insert into public.usage_events (company_id, user_id, call_sid, kind, quantity, unit, cost_usd, price_source,
                                     idempotency_key, occurred_at, details)
    values (v_session.company_id, v_session.user_id, p_call_sid, 'telephony', v_minutes, 'minute',
            round(v_minutes * coalesce(p_rate_per_minute_usd, 0), 6), 'estimate', 'telephony:' || p_call_sid,
            v_session.ended_at,
            jsonb_build_object('duration_seconds', coalesce(p_duration_seconds, 0), 'country', p_rate_country,
                               'rate_per_minute_usd', p_rate_per_minute_usd))
    on conflict (idempotency_key) do nothing
    returning id into v_usage_id;
    if v_usage_id is not null then
      insert into public.call_price_backfills (call_sid, usage_event_id, account_sid, next_attempt_at)
      values (p_call_sid, v_usage_id, v_session.account_sid, now() + make_interval(secs => greatest(p_price_first_attempt_seconds, 0)))
      on conflict (call_sid) do nothing;
    end if;
  end if;

  return public.call_session_json(v_session) || jsonb_build_object(
    'found', true, 'duplicate', false, 'applied', true, 'usage_event_id', v_usage_id);
end
$$;

-- Only the API's service role calls these (each file stands alone in the Supabase SQL editor).
do $$
declare
  f text;
begin
  foreach f in array array[
    'public.agent_config_defaults()',
    'public.company_agent_config(uuid)',
    'public.match_phone_number(text)',
    'public.resolve_phone_number(text)',
    'public.agent_config_json(uuid)',
    'public.save_agent_config(uuid, jsonb, boolean)',
    'public.company_ts_config(uuid)',
    'public.open_call_session(text, text, text, uuid, text, text)',
    'public.open_agent_session(uuid, text, uuid, text, timestamptz, integer, uuid, text, text)',
    'public.get_call_handoff_target(text)',
    'public.record_call_status(text, text, integer, timestamptz, integer, text, text, text, numeric, text, integer)']
  loop
    execute format('revoke execute on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
