-- Supabase's API roles. They exist on a Supabase project; on plain PostgreSQL and on the embedded
-- database we create them so that the same grants and revokes apply everywhere.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;

-- Functions are executable by PUBLIC by default, and Supabase grants new ones to anon and authenticated:
-- nothing we create is callable by them unless a migration says so.
alter default privileges in schema public revoke execute on functions from public;
alter default privileges in schema public revoke all on tables from public;

-- Supabase's rpc transport calls this to check the connection.
create or replace function public.health_check()
returns jsonb
language sql
stable
as $$ select jsonb_build_object('ok', true) $$;

revoke execute on function public.health_check() from public, anon, authenticated;
grant execute on function public.health_check() to service_role;
