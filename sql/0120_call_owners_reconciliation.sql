-- Issue 12 (DESIGN §10): every live call has an owning instance, instances heartbeat, and the calls of a dead owner
-- (or whose stream never connected) are reconciled with Twilio's call status by any instance.
--
-- One heartbeat row per process start rather than one per session: an instance with 200 calls writes once every
-- few seconds instead of 200 times, and a dead instance is one stale row. The instance holding a call's WebSocket
-- records its id on the session (claim_call_ownership); a session is orphaned when that instance's row is stale or
-- stopped, or when no instance ever claimed it some seconds after the webhook opened it.

create table public.api_instances (
  instance_id uuid primary key,
  host text,
  pid integer,
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  stopped_at timestamptz
);
alter table public.api_instances enable row level security;
revoke all on table public.api_instances from public, anon, authenticated;
grant all on table public.api_instances to service_role;

alter table public.call_sessions
  -- the instance holding the call's WebSocket (null until a stream connects)
  add column owner_instance_id uuid,
  -- set when reconciliation found no live owner: the call no longer takes a concurrent-call place
  add column slot_released_at timestamptz,
  -- reconciliation's own bookkeeping: lease, attempts, when to ask Twilio again, and why it stopped asking
  add column reconcile_attempts integer not null default 0,
  add column reconcile_next_at timestamptz,
  add column reconcile_lease_owner text,
  add column reconcile_lease_until timestamptz,
  add column reconcile_stopped text check (reconcile_stopped in ('not_found', 'gave_up')),
  add column reconcile_error text;

-- The sweep reads open connected sessions only.
create index call_sessions_open_connected_idx on public.call_sessions (started_at) where ended_at is null and outcome = 'connected';

-- A heartbeat (and the first registration) of one instance; it also clears a stop written by mistake.
create or replace function public.record_instance_heartbeat(p_instance_id uuid, p_host text, p_pid integer)
returns jsonb
language sql
as $$
  insert into public.api_instances as i (instance_id, host, pid)
  values (p_instance_id, p_host, p_pid)
  on conflict (instance_id) do update set heartbeat_at = now(), stopped_at = null
  returning jsonb_build_object('instance_id', i.instance_id, 'heartbeat_at', i.heartbeat_at)
$$;

-- A draining instance says it is gone once its calls have ended, so its leftovers are reconciled without waiting.
create or replace function public.record_instance_stopped(p_instance_id uuid)
returns jsonb
language sql
as $$
  with stopped as (update public.api_instances set stopped_at = now() where instance_id = p_instance_id returning 1)
  select to_jsonb(exists (select 1 from stopped))
$$;

-- The instance that accepted a call's WebSocket records itself on the session (and proves it is alive). A stream
-- that connects after a reconciliation released its place takes the place back: the call is live again.
create or replace function public.claim_call_ownership(p_call_sid text, p_instance_id uuid)
returns jsonb
language plpgsql
as $$
declare
  v_owned boolean;
begin
  insert into public.api_instances (instance_id) values (p_instance_id)
  on conflict (instance_id) do update set heartbeat_at = now(), stopped_at = null;
  update public.call_sessions
     set owner_instance_id = p_instance_id, slot_released_at = null, updated_at = now()
   where call_sid = p_call_sid and ended_at is null;
  v_owned := found;
  return jsonb_build_object('call_sid', p_call_sid, 'owned', v_owned);
end
$$;

-- Open connected sessions with no live owner: the owner's heartbeat is older than p_dead_after_seconds (or it
-- stopped), or no stream claimed the session p_dead_after_seconds after the webhook opened it. Claimed with a lease
-- and SKIP LOCKED like the other scheduled work; the claim itself releases the call's concurrent-call place, since
-- no instance holds its stream any more, so the place is free within one sweep whatever Twilio answers.
create or replace function public.claim_orphaned_calls(p_owner text, p_limit integer, p_lease_seconds integer, p_dead_after_seconds integer)
returns jsonb
language sql
as $$
  with due as (
    select s.call_sid
      from public.call_sessions s
     where s.ended_at is null and s.outcome = 'connected'
       and s.reconcile_stopped is null
       and (s.reconcile_next_at is null or s.reconcile_next_at <= now())
       and (s.reconcile_lease_until is null or s.reconcile_lease_until < now())
       and case
             when s.owner_instance_id is null then s.started_at < now() - make_interval(secs => p_dead_after_seconds)
             else not exists (
               select 1 from public.api_instances i
                where i.instance_id = s.owner_instance_id and i.stopped_at is null
                  and i.heartbeat_at > now() - make_interval(secs => p_dead_after_seconds))
           end
     order by s.started_at
     limit greatest(p_limit, 0)
       for update of s skip locked),
  claimed as (
    update public.call_sessions s
       set reconcile_lease_owner = p_owner,
           reconcile_lease_until = now() + make_interval(secs => p_lease_seconds),
           reconcile_attempts = s.reconcile_attempts + 1,
           slot_released_at = coalesce(s.slot_released_at, now()),
           updated_at = now()
      from due
     where s.call_sid = due.call_sid
    returning s.call_sid, s.account_sid, s.company_id, s.owner_instance_id, s.reconcile_attempts)
  select coalesce(jsonb_agg(jsonb_build_object(
           'call_sid', call_sid, 'account_sid', account_sid, 'company_id', company_id,
           'owner_instance_id', owner_instance_id, 'attempts', reconcile_attempts) order by call_sid), '[]'::jsonb)
    from claimed
$$;

-- The end of one reconciliation attempt, applied only by the lease holder. recorded: Twilio's final status was
-- written by record_call_status (which closed the session); retry: ask again after p_retry_after_seconds (the call
-- is still in progress, or Twilio did not answer); not_found / gave_up: stop asking.
create or replace function public.finish_call_reconciliation(
  p_call_sid text, p_owner text, p_result text, p_retry_after_seconds integer default null, p_error text default null)
returns jsonb
language plpgsql
as $$
begin
  if p_result not in ('recorded', 'retry', 'not_found', 'gave_up') then
    raise exception using errcode = '22023', message = format('Unknown reconciliation result %s', p_result);
  end if;
  update public.call_sessions
     set reconcile_lease_owner = null,
         reconcile_lease_until = null,
         reconcile_next_at = case when p_result = 'retry'
                                  then now() + make_interval(secs => greatest(coalesce(p_retry_after_seconds, 60), 0))
                                  else reconcile_next_at end,
         reconcile_stopped = case when p_result in ('not_found', 'gave_up') then p_result else reconcile_stopped end,
         reconcile_error = p_error,
         updated_at = now()
   where call_sid = p_call_sid and reconcile_lease_owner = p_owner;
  return jsonb_build_object('call_sid', p_call_sid, 'finished', found);
end
$$;

-- Instances that stopped heartbeating a day ago are history.
create or replace function public.prune_api_instances(p_keep_hours integer)
returns jsonb
language sql
as $$
  with pruned as (
    delete from public.api_instances where heartbeat_at < now() - make_interval(hours => greatest(p_keep_hours, 1)) returning 1)
  select to_jsonb((select count(*) from pruned))
$$;

-- open_call_session: 0085's body; the live count leaves out sessions whose place the reconciliation released.
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
      -- A session whose final status never arrived stops counting after Twilio's longest call (4 hours), and at
      -- once when the reconciliation found its owner dead or its stream never connected (slot_released_at).
      select count(*) into v_live
        from public.call_sessions
       where company_id = v_company and ended_at is null and outcome = 'connected'
         and slot_released_at is null
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

do $$
declare f text;
begin
  foreach f in array array[
    'public.record_instance_heartbeat(uuid, text, integer)',
    'public.record_instance_stopped(uuid)',
    'public.claim_call_ownership(text, uuid)',
    'public.claim_orphaned_calls(text, integer, integer, integer)',
    'public.finish_call_reconciliation(text, text, text, integer, text)',
    'public.prune_api_instances(integer)',
    'public.open_call_session(text, text, text, uuid, text, text)']
  loop
    execute format('revoke execute on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
