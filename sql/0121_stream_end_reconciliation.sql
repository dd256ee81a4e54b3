-- Issue 12 (DESIGN §10), continued: a call whose stream ended on a live instance but whose final status never
-- arrived (Twilio's callback lost, or our answer to it failed) is reconciled like a dead owner's call. The owner
-- records when its stream ended; a new stream of the call (Twilio reconnecting) clears it again.

alter table public.call_sessions
  -- when the owning instance's stream of the call ended (null while a stream holds the call)
  add column stream_ended_at timestamptz;

-- claim_call_ownership: 0120's body; a stream that connects again clears the end of the previous one.
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
     set owner_instance_id = p_instance_id, slot_released_at = null, stream_ended_at = null, updated_at = now()
   where call_sid = p_call_sid and ended_at is null;
  v_owned := found;
  return jsonb_build_object('call_sid', p_call_sid, 'owned', v_owned);
end
$$;

-- The owner's stream of a call ended. Only the recorded owner writes it: an older stream closing after a newer one
-- took the call (here or on another instance) leaves the call alone.
create or replace function public.record_call_stream_ended(p_call_sid text, p_instance_id uuid)
returns jsonb
language sql
as $$
  with ended as (
    update public.call_sessions
       set stream_ended_at = now(), updated_at = now()
     where call_sid = p_call_sid and owner_instance_id = p_instance_id and ended_at is null
    returning 1)
  select jsonb_build_object('call_sid', p_call_sid, 'recorded', exists (select 1 from ended))
$$;

-- claim_orphaned_calls: 0120's body; a session whose stream ended p_dead_after_seconds ago with no final status is
-- orphaned too, whether or not its owner still beats.
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
             when s.stream_ended_at < now() - make_interval(secs => p_dead_after_seconds) then true
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

do $$
declare
  f text;
begin
  foreach f in array array[
    'public.claim_call_ownership(text, uuid)',
    'public.record_call_stream_ended(text, uuid)',
    'public.claim_orphaned_calls(text, integer, integer, integer)']
  loop
    execute format('revoke execute on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
  end loop;
end
$$;
