-- The cost ledger: usage events from any module, the price backfill queue, and the reading routes.

-- Claims due price fetches for one worker: SKIP LOCKED and a lease, so instances never fetch the same call at once
-- and a crashed worker's claims come back when the lease runs out.
create or replace function public.claim_call_price_backfills(p_owner text, p_limit integer, p_lease_seconds integer)
returns jsonb
language sql
as $$
  with due as (
    select b.call_sid
      from public.call_price_backfills b
     where b.state = 'pending' and b.next_attempt_at <= now()
       and (b.lease_until is null or b.lease_until < now())
     order by b.next_attempt_at
     limit greatest(p_limit, 0)
       for update skip locked),
  claimed as (
    update public.call_price_backfills b
       set lease_owner = p_owner,
           lease_until = now() + make_interval(secs => p_lease_seconds),
           attempts = b.attempts + 1,
           updated_at = now()
      from due
     where b.call_sid = due.call_sid
    returning b.call_sid, b.account_sid, b.attempts)
  select coalesce(jsonb_agg(jsonb_build_object('call_sid', call_sid, 'account_sid', account_sid, 'attempts', attempts)
                            order by call_sid), '[]'::jsonb)
    from claimed
$$;

-- The result of one fetch, applied only by the lease holder. priced: the usage event takes Twilio's price;
-- retry: try again later; not_found / gave_up / unsupported_currency: stop and keep the estimate.
create or replace function public.finish_call_price_backfill(
  p_call_sid text,
  p_owner text,
  p_result text,
  p_price_usd numeric default null,
  p_retry_after_seconds integer default null,
  p_error text default null)
returns jsonb
language plpgsql
as $$
declare
  v_backfill public.call_price_backfills;
begin
  if p_result not in ('priced', 'retry', 'not_found', 'gave_up', 'unsupported_currency') then
    raise exception using errcode = '22023', message = format('Unknown backfill result %s', p_result);
  end if;
  if p_result = 'priced' and (p_price_usd is null or p_price_usd < 0) then
    raise exception using errcode = '22023', message = 'A priced backfill needs a non-negative price';
  end if;
  update public.call_price_backfills
     set state = case when p_result = 'retry' then 'pending' else p_result end,
         next_attempt_at = case when p_result = 'retry' then now() + make_interval(secs => greatest(coalesce(p_retry_after_seconds, 60), 0)) else next_attempt_at end,
         lease_owner = null,
         lease_until = null,
         last_error = p_error,
         updated_at = now()
   where call_sid = p_call_sid and lease_owner = p_owner
  returning * into v_backfill;
  if not found then
    return jsonb_build_object('call_sid', p_call_sid, 'applied', false);
  end if;
  if p_result = 'priced' then
    update public.usage_events
       set cost_usd = round(p_price_usd, 6),
           price_source = 'provider',
           details = details || jsonb_build_object('estimated_cost_usd', cost_usd, 'provider_price_usd', p_price_usd)
     where id = v_backfill.usage_event_id;
  end if;
  return jsonb_build_object('call_sid', p_call_sid, 'applied', true, 'state', v_backfill.state, 'attempts', v_backfill.attempts);
end
$$;

-- A page of a company's calls, newest first; p_before_* is the last row of the previous page.
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
           'cost_usd', (select coalesce(sum(e.cost_usd), 0) from public.usage_events e where e.call_sid = s.call_sid))
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

-- One call of a company with its status timeline, transcript and usage; null when the company has no such call.
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
                     from public.call_transcripts t where t.call_sid = s.call_sid),
    'usage', (select coalesce(jsonb_agg(jsonb_build_object(
                'id', u.id, 'kind', u.kind, 'quantity', u.quantity, 'unit', u.unit, 'cost_usd', u.cost_usd,
                'price_source', u.price_source, 'occurred_at', u.occurred_at) order by u.occurred_at, u.id), '[]'::jsonb)
                from public.usage_events u where u.call_sid = s.call_sid))
    from public.call_sessions s
   where s.company_id = p_company_id and s.call_sid = p_call_sid
$$;

-- A company's costs in [p_from, p_to), grouped by user, UTC day or kind, with quantities per unit.
create or replace function public.company_usage_summary(p_company_id uuid, p_from timestamptz, p_to timestamptz, p_group_by text)
returns jsonb
language plpgsql
stable
as $$
declare
  v_result jsonb;
begin
  if p_group_by not in ('user', 'day', 'kind') then
    raise exception using errcode = '22023', message = format('group_by must be user, day or kind, got %s', p_group_by);
  end if;
  if p_from >= p_to then
    raise exception using errcode = '22023', message = 'from must be before to';
  end if;
  with ev as (
    select case p_group_by
             when 'user' then coalesce(e.user_id::text, 'unattributed')
             when 'day' then to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD')
             else e.kind
           end as key,
           e.unit, e.quantity, e.cost_usd, e.price_source
      from public.usage_events e
     where e.company_id = p_company_id and e.occurred_at >= p_from and e.occurred_at < p_to),
  by_unit as (
    select key, unit, sum(quantity) as quantity, sum(cost_usd) as cost_usd, count(*) as events,
           count(*) filter (where price_source = 'estimate') as estimated
      from ev group by key, unit),
  by_key as (
    select key, sum(cost_usd) as cost_usd, sum(events) as events, sum(estimated) as estimated,
           jsonb_object_agg(unit, quantity) as quantities
      from by_unit group by key)
  select jsonb_build_object(
           'total_cost_usd', coalesce((select sum(cost_usd) from by_key), 0),
           'event_count', coalesce((select sum(events) from by_key), 0),
           'estimated_event_count', coalesce((select sum(estimated) from by_key), 0),
           'groups', coalesce((select jsonb_agg(jsonb_build_object('key', key, 'cost_usd', cost_usd, 'event_count', events,
                                                                   'quantities', quantities) order by key) from by_key), '[]'::jsonb))
    into v_result;
  return v_result;
end
$$;

revoke execute on function public.claim_call_price_backfills(text, integer, integer) from public, anon, authenticated;
revoke execute on function public.finish_call_price_backfill(text, text, text, numeric, integer, text) from public, anon, authenticated;
revoke execute on function public.list_company_calls(uuid, timestamptz, timestamptz, text, integer, timestamptz, uuid) from public, anon, authenticated;
revoke execute on function public.get_company_call(uuid, text) from public, anon, authenticated;
revoke execute on function public.company_usage_summary(uuid, timestamptz, timestamptz, text) from public, anon, authenticated;
grant execute on function public.claim_call_price_backfills(text, integer, integer) to service_role;
grant execute on function public.finish_call_price_backfill(text, text, text, numeric, integer, text) to service_role;
grant execute on function public.list_company_calls(uuid, timestamptz, timestamptz, text, integer, timestamptz, uuid) to service_role;
grant execute on function public.get_company_call(uuid, text) to service_role;
grant execute on function public.company_usage_summary(uuid, timestamptz, timestamptz, text) to service_role;
