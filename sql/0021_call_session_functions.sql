-- Call sessions: opening one from the incoming-call webhook in one round trip, status callbacks, transcripts.

-- The shape every session function returns.
create or replace function public.call_session_json(s public.call_sessions)
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object(
    'id', s.id, 'call_sid', s.call_sid, 'company_id', s.company_id, 'user_id', s.user_id,
    'from_number', s.from_number, 'to_number', s.to_number, 'direction', s.direction, 'status', s.status,
    'outcome', s.outcome, 'voice_path', s.voice_path, 'account_sid', s.account_sid,
    'path_company_id', s.path_company_id, 'matched_table', s.matched_table, 'company_mismatch', s.company_mismatch,
    'started_at', s.started_at, 'answered_at', s.answered_at, 'ended_at', s.ended_at,
    'duration_seconds', s.duration_seconds, 'last_sequence_number', s.last_sequence_number)
$$;

-- Everything the incoming-call webhook needs, in one call: the company by the dialed number (phone_numbers,
-- then phone_number_users, then the company in the webhook's path), its agent configuration, the
-- concurrent-call limit, and the session, inserted once per CallSid. A retried webhook gets the session
-- (and so the decision) of the first one.
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
    select pn.company_id,
           (select u.user_id from public.phone_number_users u
             where u.phone_number = pn.phone_number order by u.created_at, u.user_id limit 1),
           'phone_numbers'
      into v_company, v_user, v_matched
      from public.phone_numbers pn
     where pn.phone_number = p_to;
    if v_company is null then
      select u.company_id, u.user_id, 'phone_number_users'
        into v_company, v_user, v_matched
        from public.phone_number_users u
       where u.phone_number = p_to
       order by u.created_at, u.user_id
       limit 1;
    end if;
    if v_company is null and p_path_company_id is not null
       and exists (select 1 from public.companies where id = p_path_company_id) then
      v_company := p_path_company_id;
      v_matched := 'path';
    end if;
    if v_company is null then
      return jsonb_build_object('outcome', 'unknown_company', 'created', false, 'path_company_id', p_path_company_id);
    end if;

    select * into v_config from public.agent_configs where company_id = v_company;
    if v_config.max_concurrent_calls is not null then
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
            coalesce(v_config.voice_path, 'conversation_relay'), p_account_sid, p_path_company_id, v_matched,
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
    select * into v_config from public.agent_configs where company_id = v_session.company_id;
  end if;
  return public.call_session_json(v_session) || jsonb_build_object(
    'created', v_created,
    'config', jsonb_build_object(
      'name', coalesce(v_config.name, 'Assistant'),
      'language', coalesce(v_config.language, 'es-MX'),
      'voice', v_config.voice,
      'greeting', v_config.greeting,
      'voice_path', coalesce(v_config.voice_path, 'conversation_relay'),
      'transfer_number', v_config.transfer_number,
      'fallback_number', v_config.fallback_number,
      'business_hours', v_config.business_hours,
      'max_concurrent_calls', v_config.max_concurrent_calls));
end
$$;

-- Records a refusal decided outside SQL (business hours), once; the first decision stands.
create or replace function public.refuse_call_session(p_call_sid text, p_outcome text)
returns jsonb
language plpgsql
as $$
declare
  v_session public.call_sessions;
begin
  if p_outcome not in ('refused_limit', 'refused_after_hours') then
    raise exception using errcode = '22023', message = format('outcome must be refused_limit or refused_after_hours, got %s', p_outcome);
  end if;
  update public.call_sessions set outcome = p_outcome, updated_at = now()
   where call_sid = p_call_sid and outcome = 'connected'
  returning * into v_session;
  if not found then
    select * into v_session from public.call_sessions where call_sid = p_call_sid;
  end if;
  return case when v_session.id is null then null else public.call_session_json(v_session) end;
end
$$;

-- What the <Connect action> callback needs: where to transfer the caller.
create or replace function public.get_call_handoff_target(p_call_sid text)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'call_sid', s.call_sid, 'company_id', s.company_id,
    'language', coalesce(c.language, 'es-MX'),
    'transfer_number', c.transfer_number, 'fallback_number', c.fallback_number)
    from public.call_sessions s
    left join public.agent_configs c on c.company_id = s.company_id
   where s.call_sid = p_call_sid
$$;

-- A status callback. Duplicates change nothing; a final status is final (a late "ringing" does not reopen the
-- call); earlier statuses are ordered by SequenceNumber, then Timestamp. The final "completed" closes the session
-- and writes the call's one telephony usage event (minutes rounded up, at the given rate) and queues the fetch of
-- Twilio's actual price.
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
    select r.company_id, r.user_id into v_company, v_user
      from (select pn.company_id, (select u.user_id from public.phone_number_users u
                                    where u.phone_number = pn.phone_number order by u.created_at, u.user_id limit 1) as user_id, 1 as pri
              from public.phone_numbers pn where pn.phone_number = p_to
            union all
            select u.company_id, u.user_id, 2 from public.phone_number_users u where u.phone_number = p_to) r
     order by r.pri limit 1;
    if v_company is null then
      return jsonb_build_object('found', false, 'call_sid', p_call_sid);
    end if;
    insert into public.call_sessions (call_sid, company_id, user_id, from_number, to_number, status, account_sid, outcome, matched_table)
    values (p_call_sid, v_company, v_user, p_from, p_to, 'initiated', p_account_sid, 'not_handled', 'phone_numbers')
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

revoke execute on function public.call_session_json(public.call_sessions) from public, anon, authenticated;
revoke execute on function public.open_call_session(text, text, text, uuid, text, text) from public, anon, authenticated;
revoke execute on function public.refuse_call_session(text, text) from public, anon, authenticated;
revoke execute on function public.get_call_handoff_target(text) from public, anon, authenticated;
revoke execute on function public.record_call_status(text, text, integer, timestamptz, integer, text, text, text, numeric, text, integer) from public, anon, authenticated;
grant execute on function public.call_session_json(public.call_sessions) to service_role;
grant execute on function public.open_call_session(text, text, text, uuid, text, text) to service_role;
grant execute on function public.refuse_call_session(text, text) to service_role;
grant execute on function public.get_call_handoff_target(text) to service_role;
grant execute on function public.record_call_status(text, text, integer, timestamptz, integer, text, text, text, numeric, text, integer) to service_role;
