-- A live call whose agent failed (issue 12): the gateway marks the session before it gives up the stream, so that
-- Twilio's <Connect action> request, which follows when our socket closes, answers with the apology and a dial to a
-- person instead of hanging up, even when Twilio refused the rescue's call update.

alter table public.call_sessions add column rescue_requested_at timestamptz;

create or replace function public.request_call_rescue(p_call_sid text)
returns jsonb
language sql
as $$
  with marked as (
    update public.call_sessions set rescue_requested_at = coalesce(rescue_requested_at, now()), updated_at = now()
     where call_sid = p_call_sid
    returning 1)
  select to_jsonb(exists (select 1 from marked))
$$;

-- Where a hand-off goes, and whether the agent failed the call (redefined from 0021 with rescue_requested).
create or replace function public.get_call_handoff_target(p_call_sid text)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'call_sid', s.call_sid, 'company_id', s.company_id,
    'language', coalesce(c.language, 'es-MX'),
    'transfer_number', c.transfer_number, 'fallback_number', c.fallback_number,
    'rescue_requested', s.rescue_requested_at is not null)
    from public.call_sessions s
    left join public.agent_configs c on c.company_id = s.company_id
   where s.call_sid = p_call_sid
$$;

revoke execute on function public.request_call_rescue(text) from public, anon, authenticated;
grant execute on function public.request_call_rescue(text) to service_role;
revoke execute on function public.get_call_handoff_target(text) from public, anon, authenticated;
grant execute on function public.get_call_handoff_target(text) to service_role;
