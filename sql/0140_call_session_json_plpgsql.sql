-- call_session_json is called by open_call_session on every incoming call, and by the status and stream functions.
-- As a SQL function that cannot be inlined (it is called from PL/pgSQL), PostgreSQL plans it again on every call
-- (about 0.2 ms of the webhook's 1.2 ms in the database, measured with track_functions); as PL/pgSQL its one
-- statement's plan is kept for the session. Same result, same signature.
create or replace function public.call_session_json(s public.call_sessions)
returns jsonb
language plpgsql
immutable
as $$
begin
  return jsonb_build_object(
    'id', s.id, 'call_sid', s.call_sid, 'company_id', s.company_id, 'user_id', s.user_id,
    'from_number', s.from_number, 'to_number', s.to_number, 'direction', s.direction, 'status', s.status,
    'outcome', s.outcome, 'voice_path', s.voice_path, 'account_sid', s.account_sid,
    'path_company_id', s.path_company_id, 'matched_table', s.matched_table, 'company_mismatch', s.company_mismatch,
    'started_at', s.started_at, 'answered_at', s.answered_at, 'ended_at', s.ended_at,
    'duration_seconds', s.duration_seconds, 'last_sequence_number', s.last_sequence_number);
end
$$;

revoke execute on function public.call_session_json(public.call_sessions) from public, anon, authenticated;
grant execute on function public.call_session_json(public.call_sessions) to service_role;
