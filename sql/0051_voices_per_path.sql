-- Issue 10: voices belong to a voice path (DESIGN §4). `voice` is the ConversationRelay voice and goes with
-- `tts_provider` (Twilio's names: ElevenLabs, Google, Amazon; Twilio defaults to ElevenLabs and drops the call on a
-- voice of another provider); `realtime_voice` is the speech-to-speech model's voice (OpenAI's built-in names).
-- The API validates each against its vendor's naming; the table keeps the pairing rules that SQL can state.

alter table public.agent_configs
  add column tts_provider text check (tts_provider in ('ElevenLabs', 'Google', 'Amazon')),
  add column realtime_voice text check (realtime_voice in ('alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'));

-- Existing configurations: one `voice` used to go to both vendors. A Google, Amazon or ElevenLabs voice name keeps its
-- place with the provider it names; an OpenAI voice moves to realtime_voice; anything else could only make Twilio drop
-- the call, so it is cleared (Twilio's default voice speaks instead).
update public.agent_configs
   set realtime_voice = lower(voice), voice = null
 where lower(voice) in ('alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar');
update public.agent_configs
   set tts_provider = case
         when voice ~ '^[a-z]{2,3}-[A-Z]{2}-[A-Za-z0-9]+(-[A-Za-z0-9]+)*-[A-Za-z]+$' then 'Google'
         when voice ~ '^[A-Z][^-[:space:]]+-(Neural|Generative|Standard|LongForm)$' then 'Amazon'
         when voice ~ '^[A-Za-z0-9]{20}(-[A-Za-z0-9_.]+)*$' then 'ElevenLabs'
       end
 where voice is not null;
update public.agent_configs set voice = null where voice is not null and tts_provider is null;

-- A voice without its provider is what made Twilio fall back to ElevenLabs with a Google name.
alter table public.agent_configs
  add constraint agent_configs_voice_has_provider check (voice is null or tts_provider is not null);

-- The same functions as sql/0011, sql/0021 and sql/0030, with tts_provider and realtime_voice.

create or replace function public.agent_config_json(p_company_id uuid)
returns jsonb
language plpgsql
stable
as $$
declare
  v_result jsonb;
begin
  -- Defaults mirror the column defaults of agent_configs (sql/0001) for companies that never saved one.
  select jsonb_build_object(
           'company_id', c.id,
           'name', coalesce(a.name, 'Assistant'),
           'language', coalesce(a.language, 'es-MX'),
           'greeting', a.greeting,
           'instructions', a.instructions,
           'voice', a.voice,
           'tts_provider', a.tts_provider,
           'realtime_voice', a.realtime_voice,
           'voice_path', coalesce(a.voice_path, 'conversation_relay'),
           'brain', coalesce(a.brain, 'knowledge'),
           'model', a.model,
           'transfer_number', a.transfer_number,
           'fallback_number', a.fallback_number,
           'business_hours', a.business_hours,
           'max_concurrent_calls', a.max_concurrent_calls,
           'updated_at', a.updated_at)
    into v_result
    from public.companies c
    left join public.agent_configs a on a.company_id = c.id
   where c.id = p_company_id;
  if v_result is null then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  return v_result;
end
$$;


create or replace function public.save_agent_config(p_company_id uuid, p_config jsonb, p_replace boolean)
returns jsonb
language plpgsql
as $$
declare
  v_current jsonb := public.agent_config_json(p_company_id);
  v_next jsonb;
  v_defaults constant jsonb := jsonb_build_object('name', 'Assistant', 'language', 'es-MX',
                                                  'voice_path', 'conversation_relay', 'brain', 'knowledge');
  v_old_config regconfig;
  v_new_config regconfig;
begin
  if p_replace then
    v_next := v_defaults || jsonb_strip_nulls(p_config);
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


create or replace function public.open_agent_session(
  p_jti uuid, p_call_sid text, p_company_id uuid, p_kind text, p_expires_at timestamptz, p_knowledge_chars integer default 6000)
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

  insert into public.call_sessions (call_sid, company_id, voice_path, status)
  values (p_call_sid, p_company_id, p_kind, 'in-progress')
  on conflict (call_sid) do nothing;
  select * into v_session from public.call_sessions where call_sid = p_call_sid;
  if v_session.company_id <> p_company_id then
    raise exception using errcode = '22023', message = 'The call session belongs to another company than the stream token';
  end if;

  select jsonb_build_object(
           'name', coalesce(a.name, 'Assistant'),
           'language', coalesce(a.language, 'es-MX'),
           'greeting', a.greeting,
           'instructions', a.instructions,
           'voice', a.voice,
           'tts_provider', a.tts_provider,
           'realtime_voice', a.realtime_voice,
           'voice_path', coalesce(a.voice_path, 'conversation_relay'),
           'transfer_number', a.transfer_number,
           'fallback_number', a.fallback_number)
    into v_profile
    from (select 1) one
    left join public.agent_configs a on a.company_id = p_company_id;

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


revoke execute on function public.agent_config_json(uuid) from public, anon, authenticated;
grant execute on function public.agent_config_json(uuid) to service_role;
revoke execute on function public.save_agent_config(uuid, jsonb, boolean) from public, anon, authenticated;
grant execute on function public.save_agent_config(uuid, jsonb, boolean) to service_role;
revoke execute on function public.open_call_session(text, text, text, uuid, text, text) from public, anon, authenticated;
grant execute on function public.open_call_session(text, text, text, uuid, text, text) to service_role;
revoke execute on function public.open_agent_session(uuid, text, uuid, text, timestamptz, integer) from public, anon, authenticated;
grant execute on function public.open_agent_session(uuid, text, uuid, text, timestamptz, integer) to service_role;
