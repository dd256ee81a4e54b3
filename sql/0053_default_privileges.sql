-- sql/0000_roles.sql says that nothing we create is callable by anon or authenticated unless a migration says so,
-- but its `alter default privileges in schema public revoke ... from public` does nothing: PostgreSQL's built-in
-- EXECUTE for PUBLIC is a global default, and a per-schema default privilege can only add to the global ones. The
-- per-function revokes in every migration were the only guard. These statements do what 0000's comment says, for
-- objects created from now on by the role that runs the migrations (the Supabase project's `postgres` role, or the
-- server's owner): the global default loses PUBLIC's EXECUTE, and the per-schema defaults that Supabase gives anon
-- and authenticated in `public` are taken back. The per-function revokes stay: they also cover functions another
-- role creates. test/database-security.spec.ts checks both the default and the audit that catches a function
-- created without its revoke.

alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
