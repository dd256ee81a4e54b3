-- Issue 10: who may configure a number (DESIGN §4), and the record written as a compare-and-set.
--
-- A number no company has yet needs a platform admin; a company's owners and admins reconfigure the numbers
-- recorded for their company; a number recorded for another company is refused for everyone but platform admins,
-- with the same answer as a number that does not exist. The check runs before Twilio is touched and returns the
-- owner it saw; the record then succeeds only if the owner is still that one, so two tenants configuring one number
-- at once cannot reassign it (the old check-then-upsert could).

create or replace function public.check_phone_number_configuration(p_phone_number text, p_company_id uuid, p_platform_admin boolean)
returns jsonb
language plpgsql
stable
as $$
declare
  v_owner uuid;
begin
  if not exists (select 1 from public.companies where id = p_company_id) then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  select company_id into v_owner from public.phone_numbers where phone_number = p_phone_number;
  if not coalesce(p_platform_admin, false) and v_owner is distinct from p_company_id then
    -- One answer for "another company's", "nobody's yet" and "no such number": nothing to probe.
    raise exception using errcode = '42501',
      message = format('%s is not a number of this company; a platform admin assigns numbers to companies', p_phone_number);
  end if;
  return jsonb_build_object('expected_company_id', v_owner, 'moves', v_owner is not null and v_owner <> p_company_id);
end
$$;

-- p_expected_company_id: the owner check_phone_number_configuration saw (null: no company had the number). When the
-- row changed hands since, nothing is written and 40001 (serialization_failure) says to try again.
create or replace function public.record_phone_number_configuration_if_unchanged(
  p_phone_number text, p_company_id uuid, p_expected_company_id uuid, p_twilio_sid text, p_voice_url text,
  p_sms_url text, p_status_callback_url text, p_platform_admin boolean)
returns jsonb
language plpgsql
as $$
declare
  v_owner uuid;
  v_found boolean;
begin
  perform public.check_phone_number_configuration(p_phone_number, p_company_id, p_platform_admin);
  select company_id, true into v_owner, v_found from public.phone_numbers where phone_number = p_phone_number for update;
  if v_found is null then
    if p_expected_company_id is not null then
      raise exception using errcode = '40001', message = format('%s changed while it was being configured; try again', p_phone_number);
    end if;
    insert into public.phone_numbers (phone_number, company_id, twilio_sid, voice_url, sms_url, status_callback_url,
                                      webhook_state, webhooks_configured_at)
    values (p_phone_number, p_company_id, p_twilio_sid, p_voice_url, p_sms_url, p_status_callback_url, 'configured', now())
    on conflict (phone_number) do nothing;
    if not found then
      raise exception using errcode = '40001', message = format('%s changed while it was being configured; try again', p_phone_number);
    end if;
  else
    if v_owner is distinct from p_expected_company_id then
      raise exception using errcode = '40001', message = format('%s changed while it was being configured; try again', p_phone_number);
    end if;
    update public.phone_numbers
       set company_id = p_company_id, twilio_sid = p_twilio_sid, voice_url = p_voice_url, sms_url = p_sms_url,
           status_callback_url = p_status_callback_url, webhook_state = 'configured', webhooks_configured_at = now(),
           updated_at = now()
     where phone_number = p_phone_number and company_id = v_owner;
    -- a number moved to another company no longer attributes its costs to the old company's users
    if v_owner <> p_company_id then
      delete from public.phone_number_users where phone_number = p_phone_number and company_id <> p_company_id;
    end if;
  end if;
  return public.phone_number_json(p_phone_number);
end
$$;

-- The old pair let any company claim a number nobody had; nothing calls them any more.
drop function if exists public.record_phone_number_configuration(text, uuid, text, text, text, text, boolean);
drop function if exists public.check_phone_number_assignment(text, uuid, boolean);

revoke execute on function public.check_phone_number_configuration(text, uuid, boolean) from public, anon, authenticated;
grant execute on function public.check_phone_number_configuration(text, uuid, boolean) to service_role;
revoke execute on function public.record_phone_number_configuration_if_unchanged(text, uuid, uuid, text, text, text, text, boolean) from public, anon, authenticated;
grant execute on function public.record_phone_number_configuration_if_unchanged(text, uuid, uuid, text, text, text, text, boolean) to service_role;
