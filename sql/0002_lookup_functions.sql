-- Phone number → company and user. `phone_numbers` decides the company; `phone_number_users` gives the
-- user and is the fallback for numbers that were only ever linked to a user.
create or replace function public.resolve_phone_number(p_phone_number text)
returns jsonb
language plpgsql
stable
as $$
declare
  result jsonb;
begin
  -- plpgsql keeps the plans of these statements for the session: this runs on every call and message.
  select jsonb_build_object(
           'phone_number', pn.phone_number,
           'company_id', pn.company_id,
           'company_name', c.name,
           'user_id', (select u.user_id from public.phone_number_users u
                        where u.phone_number = pn.phone_number
                        order by u.created_at, u.user_id limit 1),
           'matched_table', 'phone_numbers',
           'twilio_sid', pn.twilio_sid,
           'webhook_state', pn.webhook_state,
           'voice_url', pn.voice_url,
           'sms_url', pn.sms_url,
           'status_callback_url', pn.status_callback_url)
    into result
    from public.phone_numbers pn
    join public.companies c on c.id = pn.company_id
   where pn.phone_number = p_phone_number;
  if result is not null then
    return result;
  end if;

  select jsonb_build_object(
           'phone_number', u.phone_number,
           'company_id', u.company_id,
           'company_name', c.name,
           'user_id', u.user_id,
           'matched_table', 'phone_number_users',
           'twilio_sid', null,
           'webhook_state', null,
           'voice_url', null,
           'sms_url', null,
           'status_callback_url', null)
    into result
    from public.phone_number_users u
    join public.companies c on c.id = u.company_id
   where u.phone_number = p_phone_number
   order by u.created_at, u.user_id
   limit 1;
  return result;
end
$$;

-- A user's role in a company (null when not a member), and whether the company exists.
create or replace function public.get_company_membership(p_company_id uuid, p_user_id uuid)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'company_exists', exists (select 1 from public.companies where id = p_company_id),
    'role', (select m.role from public.company_members m where m.company_id = p_company_id and m.user_id = p_user_id))
$$;

create or replace function public.list_user_companies(p_user_id uuid)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object('company_id', c.id, 'name', c.name, 'role', m.role)
                            order by c.name, c.id), '[]'::jsonb)
    from public.company_members m
    join public.companies c on c.id = m.company_id
   where m.user_id = p_user_id
$$;

revoke execute on function public.resolve_phone_number(text) from public, anon, authenticated;
revoke execute on function public.get_company_membership(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.list_user_companies(uuid) from public, anon, authenticated;
grant execute on function public.resolve_phone_number(text) to service_role;
grant execute on function public.get_company_membership(uuid, uuid) to service_role;
grant execute on function public.list_user_companies(uuid) to service_role;
