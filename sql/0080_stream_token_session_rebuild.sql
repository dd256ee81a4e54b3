-- Issue 12: a call answered with <Connect> keeps a complete session through a database crash. The stream token
-- now carries the user and the numbers, and the gateway's session function takes them.
drop function if exists public.open_agent_session(uuid, text, uuid, text, timestamptz, integer);

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

revoke execute on function public.open_agent_session(uuid, text, uuid, text, timestamptz, integer, uuid, text, text) from public, anon, authenticated;
grant execute on function public.open_agent_session(uuid, text, uuid, text, timestamptz, integer, uuid, text, text) to service_role;
