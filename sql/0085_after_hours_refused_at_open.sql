-- Issue 12: an after-hours call is decided while its session is opened, so it is inserted already refused and
-- never counts, even briefly, as a live 'connected' call against max_concurrent_calls.
-- open_call_session is 0051's body with only the business-hours check added before the limit.

-- Mirrors isWithinBusinessHours (src/companies/business-hours.ts): a time zone and, per weekday, [start, end)
-- intervals in local HH:MM. No hours means always open; hours that cannot be read keep the line open, as the API
-- does (values are validated when saved, so that only guards rows written some other way).
create or replace function public.within_business_hours(p_hours jsonb, p_at timestamptz)
returns boolean
language plpgsql
stable
as $$
declare
  v_local timestamp;
  v_day text;
  v_time text;
  v_intervals jsonb;
begin
  if p_hours is null or jsonb_typeof(p_hours) = 'null' then
    return true;
  end if;
  begin
    v_local := p_at at time zone (p_hours->>'time_zone');
  exception when others then
    return true;
  end;
  if v_local is null or jsonb_typeof(p_hours->'weekly') is distinct from 'object' then
    return true;
  end if;
  -- 'Dy' is English whatever lc_time says (only the TM prefix localises it).
  v_day := lower(to_char(v_local, 'Dy'));
  v_time := to_char(v_local, 'HH24:MI');
  v_intervals := p_hours->'weekly'->v_day;
  if v_intervals is null or jsonb_typeof(v_intervals) <> 'array' then
    return false;
  end if;
  return exists (
    select 1 from jsonb_array_elements(v_intervals) i
     where jsonb_typeof(i) = 'array' and v_time >= i->>0 and v_time < i->>1);
end
$$;

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
      'tts_provider', v_config.tts_provider,
      'realtime_voice', v_config.realtime_voice,
      'greeting', v_config.greeting,
      'voice_path', coalesce(v_config.voice_path, 'conversation_relay'),
      'transfer_number', v_config.transfer_number,
      'fallback_number', v_config.fallback_number,
      'business_hours', v_config.business_hours,
      'max_concurrent_calls', v_config.max_concurrent_calls));
end
$$;

revoke execute on function public.within_business_hours(jsonb, timestamptz) from public, anon, authenticated;
grant execute on function public.within_business_hours(jsonb, timestamptz) to service_role;
revoke execute on function public.open_call_session(text, text, text, uuid, text, text) from public, anon, authenticated;
grant execute on function public.open_call_session(text, text, text, uuid, text, text) to service_role;
