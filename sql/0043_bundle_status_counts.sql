-- Bundles by Twilio status, for the regulatory_bundles gauge (the same figures on every instance).
create or replace function public.count_regulatory_bundles_by_status()
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_object_agg(status, n), '{}'::jsonb)
    from (select status, count(*) as n from public.regulatory_bundles group by status) s
$$;

revoke execute on function public.count_regulatory_bundles_by_status() from public, anon, authenticated;
grant execute on function public.count_regulatory_bundles_by_status() to service_role;
