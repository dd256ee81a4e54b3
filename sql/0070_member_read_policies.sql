-- Row-level security as a second layer behind the API: a signed-in member (Supabase's `authenticated` role, the
-- user's id in the JWT's `sub`) may read, through Supabase's own client and Realtime, the rows of the companies
-- they belong to: calls, transcripts, usage, SMS/WhatsApp conversations and their messages, knowledge. Nobody
-- writes through these grants: every write stays a function the API calls as service_role.

-- On Supabase, auth.uid() is Supabase's own and is left alone. On plain PostgreSQL (and the embedded database) a
-- compatible one reads the request's JWT claims the way PostgREST sets them.
do $$
begin
  if not exists (select 1 from pg_namespace where nspname = 'auth') then
    execute 'create schema auth';
  end if;
  if not exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                  where n.nspname = 'auth' and p.proname = 'uid' and p.pronargs = 0) then
    execute $fn$
      create function auth.uid() returns uuid
      language sql stable
      as $body$
        select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                        (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
      $body$
    $fn$;
    execute 'grant usage on schema auth to anon, authenticated, service_role';
    execute 'grant execute on function auth.uid() to anon, authenticated, service_role';
  end if;
end
$$;

-- A member sees their own memberships, which is what the other policies look through.
grant select on table public.company_members to authenticated;
drop policy if exists member_reads_own_memberships on public.company_members;
create policy member_reads_own_memberships on public.company_members
  for select to authenticated
  using (user_id = (select auth.uid()));

do $$
declare
  t text;
begin
  foreach t in array array['companies', 'call_sessions', 'call_transcripts', 'usage_events', 'conversations',
                           'conversation_turns', 'knowledge_entries'] loop
    execute format('grant select on table public.%I to authenticated', t);
    execute format('drop policy if exists member_reads_company_rows on public.%I', t);
    execute format(
      'create policy member_reads_company_rows on public.%I for select to authenticated
         using (%I in (select m.company_id from public.company_members m where m.user_id = (select auth.uid())))',
      t, case when t = 'companies' then 'id' else 'company_id' end);
  end loop;
end
$$;

-- Supabase Realtime streams a table's changes only when the table is in its publication (absent elsewhere).
do $$
declare
  t text;
begin
  if exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    foreach t in array array['call_sessions', 'call_transcripts', 'conversation_turns'] loop
      if not exists (select 1 from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t) then
        execute format('alter publication supabase_realtime add table public.%I', t);
      end if;
    end loop;
  end if;
end
$$;
