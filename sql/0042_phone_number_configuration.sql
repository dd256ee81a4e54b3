-- Manual configuration of a number already in the Twilio account, and the list of a company's numbers.

create or replace function public.phone_number_json(p_phone_number text)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'phone_number', pn.phone_number,
    'company_id', pn.company_id,
    'twilio_sid', pn.twilio_sid,
    'bundle_id', pn.bundle_id,
    'voice_url', pn.voice_url,
    'sms_url', pn.sms_url,
    'status_callback_url', pn.status_callback_url,
    'webhook_state', pn.webhook_state,
    'webhooks_configured_at', pn.webhooks_configured_at,
    'user_ids', coalesce((select jsonb_agg(u.user_id order by u.created_at, u.user_id)
                            from public.phone_number_users u where u.phone_number = pn.phone_number), '[]'::jsonb))
  from public.phone_numbers pn
  where pn.phone_number = p_phone_number
$$;

-- Whether a company may (re)configure a number: refused (42501) when another company has it and the caller
-- may not move numbers. Checked before Twilio is touched, and again when recording.
create or replace function public.check_phone_number_assignment(p_phone_number text, p_company_id uuid, p_allow_move boolean)
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
  if v_owner is not null and v_owner <> p_company_id and not p_allow_move then
    raise exception using errcode = '42501',
      message = format('%s belongs to another company; only platform admins can move a number between companies', p_phone_number);
  end if;
  return jsonb_build_object('current_company_id', v_owner, 'moves', v_owner is not null and v_owner <> p_company_id);
end
$$;

create or replace function public.record_phone_number_configuration(
  p_phone_number text, p_company_id uuid, p_twilio_sid text, p_voice_url text, p_sms_url text,
  p_status_callback_url text, p_allow_move boolean)
returns jsonb
language plpgsql
as $$
declare
  v_owner uuid;
begin
  perform public.check_phone_number_assignment(p_phone_number, p_company_id, p_allow_move);
  select company_id into v_owner from public.phone_numbers where phone_number = p_phone_number for update;
  insert into public.phone_numbers (phone_number, company_id, twilio_sid, voice_url, sms_url, status_callback_url,
                                    webhook_state, webhooks_configured_at)
  values (p_phone_number, p_company_id, p_twilio_sid, p_voice_url, p_sms_url, p_status_callback_url, 'configured', now())
  on conflict (phone_number) do update
    set company_id = excluded.company_id, twilio_sid = excluded.twilio_sid, voice_url = excluded.voice_url,
        sms_url = excluded.sms_url, status_callback_url = excluded.status_callback_url,
        webhook_state = 'configured', webhooks_configured_at = now(), updated_at = now();
  -- a number moved to another company no longer attributes its costs to the old company's users
  if v_owner is not null and v_owner <> p_company_id then
    delete from public.phone_number_users where phone_number = p_phone_number and company_id <> p_company_id;
  end if;
  return public.phone_number_json(p_phone_number);
end
$$;

create or replace function public.list_company_phone_numbers(p_company_id uuid)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(public.phone_number_json(pn.phone_number) order by pn.created_at, pn.phone_number), '[]'::jsonb)
    from public.phone_numbers pn where pn.company_id = p_company_id
$$;

-- What a look at Twilio found: 'configured' when its URLs are ours, 'drifted' when they are not.
create or replace function public.set_phone_number_webhook_state(p_phone_number text, p_state text)
returns jsonb
language plpgsql
as $$
begin
  if p_state not in ('configured', 'drifted') then
    raise exception using errcode = '22023', message = format('Unknown webhook state %s', p_state);
  end if;
  update public.phone_numbers
     set webhook_state = p_state, updated_at = now()
   where phone_number = p_phone_number and webhook_state <> 'not_configured' and webhook_state <> p_state;
  return public.phone_number_json(p_phone_number);
end
$$;

revoke execute on function public.phone_number_json(text) from public, anon, authenticated;
grant execute on function public.phone_number_json(text) to service_role;
revoke execute on function public.check_phone_number_assignment(text, uuid, boolean) from public, anon, authenticated;
grant execute on function public.check_phone_number_assignment(text, uuid, boolean) to service_role;
revoke execute on function public.record_phone_number_configuration(text, uuid, text, text, text, text, boolean) from public, anon, authenticated;
grant execute on function public.record_phone_number_configuration(text, uuid, text, text, text, text, boolean) to service_role;
revoke execute on function public.list_company_phone_numbers(uuid) from public, anon, authenticated;
grant execute on function public.list_company_phone_numbers(uuid) to service_role;
revoke execute on function public.set_phone_number_webhook_state(text, text) from public, anon, authenticated;
grant execute on function public.set_phone_number_webhook_state(text, text) to service_role;
