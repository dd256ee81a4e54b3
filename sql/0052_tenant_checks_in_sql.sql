-- Issue 10, the SQL as a second layer: functions that write tenant rows check the company they are given against
-- the owner of the rows they touch, and the reading functions join a call's transcript and usage on the company as
-- well as the call SID. (The number configuration's compare-and-set is in sql/0050.)

create or replace function public.record_call_turn(
  p_call_sid text, p_company_id uuid, p_role text, p_text text, p_interrupted boolean default false, p_latency jsonb default null)
returns jsonb
language plpgsql
as $$
declare
  v_seq integer;
  v_owner uuid;
begin
  if p_role not in ('caller', 'agent', 'system') then
    raise exception using errcode = '22023', message = 'role must be caller, agent or system';
  end if;
  select company_id into v_owner from public.call_sessions where call_sid = p_call_sid;
  if v_owner is null then
    raise exception using errcode = 'P0002', message = format('No call session %s: a turn belongs to an opened call', p_call_sid);
  end if;
  if v_owner <> p_company_id then
    raise exception using errcode = '42501', message = 'The call belongs to another company than the turn names';
  end if;
  -- Serialises writers of one call (another stream of the same call on another instance) without a table lock.
  perform pg_advisory_xact_lock(hashtextextended(p_call_sid, 5));
  select coalesce(max(seq), 0) + 1 into v_seq from public.call_transcripts where call_sid = p_call_sid;
  insert into public.call_transcripts (call_sid, company_id, seq, role, text, interrupted, latency)
  values (p_call_sid, p_company_id, v_seq, p_role, left(coalesce(p_text, ''), 20000), coalesce(p_interrupted, false), p_latency);
  return jsonb_build_object('call_sid', p_call_sid, 'seq', v_seq);
end
$$;


create or replace function public.record_agent_usage(p_company_id uuid, p_user_id uuid, p_call_sid text, p_events jsonb)
returns jsonb
language plpgsql
as $$
declare
  v_owner uuid;
  v_recorded integer;
begin
  -- Usage names its call: a call of another company is refused (usage was once attributed by call SID alone).
  if p_call_sid is not null then
    select company_id into v_owner from public.call_sessions where call_sid = p_call_sid;
    if v_owner is not null and v_owner <> p_company_id then
      raise exception using errcode = '42501', message = 'The call belongs to another company than the usage names';
    end if;
  end if;
  insert into public.usage_events (company_id, user_id, call_sid, kind, quantity, unit, cost_usd, idempotency_key)
  select p_company_id, p_user_id, p_call_sid, e->>'kind', (e->>'quantity')::numeric, e->>'unit',
         coalesce((e->>'cost_usd')::numeric, 0), e->>'idempotency_key'
    from jsonb_array_elements(coalesce(p_events, '[]'::jsonb)) e
  on conflict (idempotency_key) do nothing;
  get diagnostics v_recorded = row_count;
  return jsonb_build_object('recorded', v_recorded);
end
$$;

create or replace function public.list_company_calls(
  p_company_id uuid,
  p_from timestamptz default null,
  p_to timestamptz default null,
  p_status text default null,
  p_limit integer default 50,
  p_before_started_at timestamptz default null,
  p_before_id uuid default null)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(public.call_session_json(s) || jsonb_build_object(
           'cost_usd', (select coalesce(sum(e.cost_usd), 0) from public.usage_events e
                         where e.call_sid = s.call_sid and e.company_id = s.company_id))
           order by s.started_at desc, s.id desc), '[]'::jsonb)
    from (select * from public.call_sessions s
           where s.company_id = p_company_id
             and (p_from is null or s.started_at >= p_from)
             and (p_to is null or s.started_at < p_to)
             and (p_status is null or s.status = p_status)
             and (p_before_started_at is null or (s.started_at, s.id) < (p_before_started_at, p_before_id))
           order by s.started_at desc, s.id desc
           limit greatest(least(p_limit, 201), 1)) s
$$;


create or replace function public.get_company_call(p_company_id uuid, p_call_sid text)
returns jsonb
language sql
stable
as $$
  select public.call_session_json(s) || jsonb_build_object(
    'timeline', (select coalesce(jsonb_agg(jsonb_build_object(
                   'status', e.status, 'sequence_number', e.sequence_number, 'event_at', e.event_at,
                   'duration_seconds', e.duration_seconds, 'applied', e.applied, 'received_at', e.received_at)
                   order by e.sequence_number nulls last, e.event_at nulls last, e.id), '[]'::jsonb)
                   from public.call_status_events e where e.call_sid = s.call_sid),
    'transcript', (select coalesce(jsonb_agg(jsonb_build_object(
                     'seq', t.seq, 'role', t.role, 'text', t.text, 'interrupted', t.interrupted,
                     'latency', t.latency, 'created_at', t.created_at) order by t.seq), '[]'::jsonb)
                     from public.call_transcripts t where t.call_sid = s.call_sid and t.company_id = s.company_id),
    'usage', (select coalesce(jsonb_agg(jsonb_build_object(
                'id', u.id, 'kind', u.kind, 'quantity', u.quantity, 'unit', u.unit, 'cost_usd', u.cost_usd,
                'price_source', u.price_source, 'occurred_at', u.occurred_at) order by u.occurred_at, u.id), '[]'::jsonb)
                from public.usage_events u where u.call_sid = s.call_sid and u.company_id = s.company_id))
    from public.call_sessions s
   where s.company_id = p_company_id and s.call_sid = p_call_sid
$$;


revoke execute on function public.record_call_turn(text, uuid, text, text, boolean, jsonb) from public, anon, authenticated;
grant execute on function public.record_call_turn(text, uuid, text, text, boolean, jsonb) to service_role;
revoke execute on function public.record_agent_usage(uuid, uuid, text, jsonb) from public, anon, authenticated;
grant execute on function public.record_agent_usage(uuid, uuid, text, jsonb) to service_role;
revoke execute on function public.list_company_calls(uuid, timestamptz, timestamptz, text, integer, timestamptz, uuid) from public, anon, authenticated;
grant execute on function public.list_company_calls(uuid, timestamptz, timestamptz, text, integer, timestamptz, uuid) to service_role;
revoke execute on function public.get_company_call(uuid, text) from public, anon, authenticated;
grant execute on function public.get_company_call(uuid, text) to service_role;
