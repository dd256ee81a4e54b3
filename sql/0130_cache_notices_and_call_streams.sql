-- Cross-instance coherence (DESIGN §10, issue 14).
--
-- 1. Cache notices: every instance keeps a few answers in memory (a number's company, a company's fallback). The
--    database itself announces each change of the rows behind them on the channel `cache_notices`, so every
--    writer is covered (the API's functions, an admin's SQL, a migration). Instances LISTEN on a dedicated
--    connection and drop what they hold within a second. Notices are sent at commit and only then.
-- 2. Call streams: a call has at most one live stream. Each admitted stream claims the call here (newest wins);
--    the claim's notice tells the instance holding the older stream to close it, whichever instance that is.

create or replace function public.notify_cache_change()
returns trigger
language plpgsql
as $$
begin
  if tg_table_name in ('phone_numbers', 'phone_number_users') then
    if tg_op in ('UPDATE', 'DELETE') then
      perform pg_notify('cache_notices', jsonb_build_object('kind', 'phone_number', 'phone_number', old.phone_number)::text);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
      perform pg_notify('cache_notices', jsonb_build_object('kind', 'phone_number', 'phone_number', new.phone_number)::text);
    end if;
  elsif tg_table_name = 'companies' then
    perform pg_notify('cache_notices', jsonb_build_object('kind', 'company', 'company_id', coalesce(new.id, old.id))::text);
  elsif tg_table_name = 'agent_configs' then
    perform pg_notify('cache_notices', jsonb_build_object('kind', 'company', 'company_id', coalesce(new.company_id, old.company_id))::text);
  end if;
  return null;
end
$$;
revoke execute on function public.notify_cache_change() from public, anon, authenticated;

create trigger phone_numbers_cache_notice after insert or update or delete on public.phone_numbers
  for each row execute function public.notify_cache_change();
create trigger phone_number_users_cache_notice after insert or update or delete on public.phone_number_users
  for each row execute function public.notify_cache_change();
-- A company's name is part of a number's resolution; inserting a company changes nothing cached.
create trigger companies_cache_notice after update or delete on public.companies
  for each row execute function public.notify_cache_change();
create trigger agent_configs_cache_notice after insert or update or delete on public.agent_configs
  for each row execute function public.notify_cache_change();

create sequence public.call_stream_generation;
revoke all on sequence public.call_stream_generation from public, anon, authenticated;
grant all on sequence public.call_stream_generation to service_role;

create table public.call_streams (
  call_sid text primary key references public.call_sessions (call_sid) on delete cascade,
  -- the stream token's jti: one per stream
  stream_id text not null,
  -- increases with every claim of any call: a notice older than the stream an instance holds is ignored
  generation bigint not null,
  claimed_at timestamptz not null default now()
);
alter table public.call_streams enable row level security;
revoke all on table public.call_streams from public, anon, authenticated;
grant all on table public.call_streams to service_role;

-- The newest stream of a call wins: it takes the claim, and the notice names it, so that any instance holding
-- another stream of the call closes that one. Returns the stream it replaced, if any.
create or replace function public.claim_call_stream(p_call_sid text, p_stream_id text)
returns jsonb
language plpgsql
as $$
declare
  v_previous text;
  v_generation bigint;
begin
  -- One claim of a call at a time, so that generations commit in the order they were drawn.
  perform pg_advisory_xact_lock(hashtextextended(p_call_sid, 14));
  select stream_id into v_previous from public.call_streams where call_sid = p_call_sid;
  v_generation := nextval('public.call_stream_generation');
  insert into public.call_streams (call_sid, stream_id, generation) values (p_call_sid, p_stream_id, v_generation)
  on conflict (call_sid) do update set stream_id = excluded.stream_id, generation = excluded.generation, claimed_at = now();
  perform pg_notify('cache_notices', jsonb_build_object(
    'kind', 'call_stream', 'call_sid', p_call_sid, 'stream_id', p_stream_id, 'generation', v_generation)::text);
  return jsonb_build_object('call_sid', p_call_sid, 'stream_id', p_stream_id, 'generation', v_generation, 'replaced_stream_id', v_previous);
end
$$;
revoke execute on function public.claim_call_stream(text, text) from public, anon, authenticated;
grant execute on function public.claim_call_stream(text, text) to service_role;
