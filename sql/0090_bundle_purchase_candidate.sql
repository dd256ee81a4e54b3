-- Exactly one number per bundle when Twilio completes a purchase after our request timed out (issue 12): the
-- number chosen is recorded before it is bought, so that a retry looks up that exact number in the account and
-- adopts it instead of searching again (search results differ between attempts) and buying a second one.

alter table public.regulatory_bundles
  add column purchase_candidate text,
  -- consecutive attempts that found the candidate neither in the account nor for sale
  add column purchase_candidate_misses integer not null default 0;

-- The number a purchase is about to buy, or has tried to buy: { phone_number, misses } (phone_number null: none yet).
create or replace function public.get_regulatory_bundle_purchase_candidate(p_bundle_id uuid)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object('phone_number', b.purchase_candidate, 'misses', b.purchase_candidate_misses)
    from public.regulatory_bundles b where b.id = p_bundle_id
$$;

-- Records the number about to be bought. Only under a live lease, while the purchase is under way; false otherwise
-- (the lease was lost: someone else owns the purchase now, and buying could double).
create or replace function public.choose_regulatory_bundle_number(p_bundle_id uuid, p_owner text, p_phone_number text)
returns jsonb
language sql
as $$
  with chosen as (
    update public.regulatory_bundles
       set purchase_candidate = p_phone_number, purchase_candidate_misses = 0, updated_at = now()
     where id = p_bundle_id and lease_owner = p_owner and lease_expires_at > now() and purchase_state = 'purchasing'
    returning id)
  select to_jsonb(exists (select 1 from chosen))
$$;

-- The candidate was neither in the account nor for sale: counted; after p_max_misses it is forgotten, so that the
-- next attempt chooses another number (an earlier purchase of it had time to complete and did not).
create or replace function public.miss_regulatory_bundle_number(p_bundle_id uuid, p_owner text, p_max_misses integer)
returns jsonb
language sql
as $$
  with missed as (
    update public.regulatory_bundles
       set purchase_candidate_misses = purchase_candidate_misses + 1,
           purchase_candidate = case when purchase_candidate_misses + 1 >= p_max_misses then null else purchase_candidate end,
           updated_at = now()
     where id = p_bundle_id and lease_owner = p_owner and lease_expires_at > now()
    returning purchase_candidate, purchase_candidate_misses)
  select coalesce((select jsonb_build_object('phone_number', purchase_candidate, 'misses', purchase_candidate_misses) from missed), 'null'::jsonb)
$$;

revoke execute on function public.get_regulatory_bundle_purchase_candidate(uuid) from public, anon, authenticated;
grant execute on function public.get_regulatory_bundle_purchase_candidate(uuid) to service_role;
revoke execute on function public.choose_regulatory_bundle_number(uuid, text, text) from public, anon, authenticated;
grant execute on function public.choose_regulatory_bundle_number(uuid, text, text) to service_role;
revoke execute on function public.miss_regulatory_bundle_number(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.miss_regulatory_bundle_number(uuid, text, integer) to service_role;
