-- Agent session gateways (ConversationRelay and Media Streams): single-use stream tokens, the session a
-- gateway loads when a stream starts, transcript turns with their latency, realtime usage, and knowledge
-- retrieval for voice calls. Written for PostgreSQL 15.

-- A stream token's jti, claimed by the first stream that presents it: a token serves one stream only, on
-- whichever instance that stream lands.
create table public.stream_token_claims (
  jti uuid primary key,
  call_sid text not null,
  kind text not null check (kind in ('conversation_relay', 'media_stream')),
  claimed_at timestamptz not null default now(),
  -- when the token itself expires; a claim is useless (and deleted) some time after that
  expires_at timestamptz not null
);
create index stream_token_claims_expires_idx on public.stream_token_claims (expires_at);

alter table public.stream_token_claims enable row level security;
revoke all on table public.stream_token_claims from public, anon, authenticated;
grant all on table public.stream_token_claims to service_role;

-- Claims a token id for a call; a second claim of the same id fails with 23505 (unique_violation).
create or replace function public.claim_stream_token(p_jti uuid, p_call_sid text, p_kind text, p_expires_at timestamptz)
returns jsonb
language plpgsql
as $$
declare
  v_claimed_at timestamptz;
begin
  if p_jti is null or p_call_sid is null or p_expires_at is null then
    raise exception using errcode = '22023', message = 'claim_stream_token needs a jti, a call SID and an expiry';
  end if;
  insert into public.stream_token_claims (jti, call_sid, kind, expires_at)
  values (p_jti, p_call_sid, p_kind, p_expires_at)
  on conflict (jti) do nothing
  returning claimed_at into v_claimed_at;
  if v_claimed_at is null then
    raise exception using errcode = '23505', message = 'This stream token was already used: a token serves one stream only';
  end if;
  -- Housekeeping, bounded so that a claim never pays for a large backlog: expired claims can never match again.
  delete from public.stream_token_claims
   where jti in (select c.jti from public.stream_token_claims c
                  where c.expires_at < now() - interval '1 hour'
                  order by c.expires_at limit 50);
  return jsonb_build_object('jti', p_jti, 'call_sid', p_call_sid, 'claimed_at', v_claimed_at);
end
$$;

-- Claims the token and loads everything a gateway needs for the call in one round trip: the call session
-- (created when telephony has not written it yet: the token proves the call and the company), the company's
-- agent profile, and for the realtime path a bounded digest of its knowledge base for the instructions.
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

-- One transcript turn, numbered after the call's previous turns. Latency (agent turns):
-- { end_of_speech_to_first_output_ms, provider_ms, ours_ms }.
create or replace function public.record_call_turn(
  p_call_sid text, p_company_id uuid, p_role text, p_text text, p_interrupted boolean default false, p_latency jsonb default null)
returns jsonb
language plpgsql
as $$
declare
  v_seq integer;
begin
  if p_role not in ('caller', 'agent', 'system') then
    raise exception using errcode = '22023', message = 'role must be caller, agent or system';
  end if;
  -- Serialises writers of one call (another stream of the same call on another instance) without a table lock.
  perform pg_advisory_xact_lock(hashtextextended(p_call_sid, 5));
  select coalesce(max(seq), 0) + 1 into v_seq from public.call_transcripts where call_sid = p_call_sid;
  insert into public.call_transcripts (call_sid, company_id, seq, role, text, interrupted, latency)
  values (p_call_sid, p_company_id, v_seq, p_role, left(coalesce(p_text, ''), 20000), coalesce(p_interrupted, false), p_latency);
  return jsonb_build_object('call_sid', p_call_sid, 'seq', v_seq);
end
$$;

revoke execute on function public.claim_stream_token(uuid, text, text, timestamptz) from public, anon, authenticated;
grant execute on function public.claim_stream_token(uuid, text, text, timestamptz) to service_role;
revoke execute on function public.open_agent_session(uuid, text, uuid, text, timestamptz, integer) from public, anon, authenticated;
grant execute on function public.open_agent_session(uuid, text, uuid, text, timestamptz, integer) to service_role;
revoke execute on function public.record_call_turn(text, uuid, text, text, boolean, jsonb) from public, anon, authenticated;
grant execute on function public.record_call_turn(text, uuid, text, text, boolean, jsonb) to service_role;
