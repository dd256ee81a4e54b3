-- Functions over regulatory bundles. The JSON of a bundle is a contract (DESIGN §4):
-- { id, company_id, twilio_bundle_sid, status, purchase_state, phone_number, failure_reason, timeline, ... }.

create or replace function public.regulatory_bundle_json(p_bundle_id uuid)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'id', b.id,
    'company_id', b.company_id,
    'twilio_bundle_sid', b.twilio_bundle_sid,
    'status', b.status,
    'purchase_state', b.purchase_state,
    'phone_number', b.phone_number,
    'failure_reason', b.failure_reason,
    'iso_country', b.iso_country,
    'number_type', b.number_type,
    'end_user_type', b.end_user_type,
    'email', b.email,
    'created_by', b.created_by,
    'regulation_sid', b.regulation_sid,
    'end_user_sid', b.end_user_sid,
    'address_sid', b.address_sid,
    'phone_number_sid', b.phone_number_sid,
    'purchase_error', b.purchase_error,
    'purchase_attempts', b.purchase_attempts,
    'number_preferences', b.number_preferences,
    'requirements', b.requirements,
    'last_evaluation', b.last_evaluation,
    'created_at', b.created_at,
    'updated_at', b.updated_at,
    'documents', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', d.id, 'type', d.type, 'attributes', d.attributes, 'file_name', d.file_name,
               'mime_type', d.mime_type, 'size_bytes', d.size_bytes, 'upload_state', d.upload_state,
               'twilio_document_sid', d.twilio_document_sid, 'attempts', d.attempts, 'last_error', d.last_error,
               'created_at', d.created_at) order by d.created_at, d.id)
        from public.regulatory_bundle_documents d where d.bundle_id = b.id), '[]'::jsonb),
    'timeline', coalesce((
      select jsonb_agg(jsonb_build_object(
               'at', e.created_at, 'event', e.event, 'status', e.status,
               'purchase_state', e.purchase_state, 'detail', e.detail) order by e.id)
        from public.regulatory_bundle_events e where e.bundle_id = b.id), '[]'::jsonb))
  from public.regulatory_bundles b
  where b.id = p_bundle_id
$$;

-- Appends to the timeline with the bundle's state after the change.
create or replace function public.add_regulatory_bundle_event(p_bundle_id uuid, p_event text, p_detail jsonb default '{}'::jsonb)
returns void
language sql
as $$
  insert into public.regulatory_bundle_events (bundle_id, event, status, purchase_state, detail)
  select b.id, p_event, b.status, b.purchase_state, coalesce(p_detail, '{}'::jsonb)
    from public.regulatory_bundles b where b.id = p_bundle_id
$$;

create or replace function public.create_regulatory_bundle(p_bundle jsonb)
returns jsonb
language plpgsql
as $$
declare
  v_id uuid;
begin
  if not exists (select 1 from public.companies where id = (p_bundle ->> 'company_id')::uuid) then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_bundle ->> 'company_id');
  end if;
  insert into public.regulatory_bundles (
    company_id, created_by, iso_country, number_type, end_user_type, email, friendly_name, regulation_sid,
    requirements, twilio_bundle_sid, end_user_sid, address_sid, address_document_sid, number_preferences)
  values (
    (p_bundle ->> 'company_id')::uuid, (p_bundle ->> 'created_by')::uuid, p_bundle ->> 'iso_country',
    p_bundle ->> 'number_type', p_bundle ->> 'end_user_type', p_bundle ->> 'email', p_bundle ->> 'friendly_name',
    p_bundle ->> 'regulation_sid', coalesce(p_bundle -> 'requirements', '{}'::jsonb), p_bundle ->> 'twilio_bundle_sid',
    p_bundle ->> 'end_user_sid', p_bundle ->> 'address_sid', p_bundle ->> 'address_document_sid',
    coalesce(p_bundle -> 'number_preferences', '{}'::jsonb))
  returning id into v_id;
  perform public.add_regulatory_bundle_event(v_id, 'created', jsonb_build_object(
    'twilio_bundle_sid', p_bundle ->> 'twilio_bundle_sid', 'regulation_sid', p_bundle ->> 'regulation_sid'));
  return public.regulatory_bundle_json(v_id);
end
$$;

create or replace function public.get_regulatory_bundle(p_bundle_id uuid)
returns jsonb
language plpgsql
stable
as $$
declare
  v jsonb := public.regulatory_bundle_json(p_bundle_id);
begin
  if v is null then
    raise exception using errcode = 'P0002', message = format('Bundle %s does not exist', p_bundle_id);
  end if;
  return v;
end
$$;

-- The company a bundle belongs to (null when there is no such bundle): for the access check.
create or replace function public.get_regulatory_bundle_company(p_bundle_id uuid)
returns jsonb
language sql
stable
as $$
  select to_jsonb(b.company_id) from public.regulatory_bundles b where b.id = p_bundle_id
$$;

create or replace function public.find_regulatory_bundle_by_sid(p_twilio_bundle_sid text)
returns jsonb
language sql
stable
as $$
  select public.regulatory_bundle_json(b.id) from public.regulatory_bundles b where b.twilio_bundle_sid = p_twilio_bundle_sid
$$;

create or replace function public.list_regulatory_bundles(p_company_id uuid)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(public.regulatory_bundle_json(b.id) order by b.created_at desc, b.id), '[]'::jsonb)
    from public.regulatory_bundles b where b.company_id = p_company_id
$$;

-- Documents are kept before they are sent to Twilio. Content arrives base64-encoded so that every transport
-- (pg and Supabase rpc) passes it the same way.
create or replace function public.add_regulatory_bundle_document(
  p_bundle_id uuid, p_type text, p_attributes jsonb, p_file_name text, p_mime_type text, p_content_base64 text)
returns jsonb
language plpgsql
as $$
declare
  v_status text;
  v_id uuid;
  v_content bytea := decode(p_content_base64, 'base64');
begin
  select status into v_status from public.regulatory_bundles where id = p_bundle_id for update;
  if v_status is null then
    raise exception using errcode = 'P0002', message = format('Bundle %s does not exist', p_bundle_id);
  end if;
  if v_status <> 'draft' then
    raise exception using errcode = '22023', message = format('Documents can be added only while the bundle is a draft; it is %s', v_status);
  end if;
  insert into public.regulatory_bundle_documents (bundle_id, type, attributes, file_name, mime_type, size_bytes, content)
  values (p_bundle_id, p_type, coalesce(p_attributes, '{}'::jsonb), p_file_name, p_mime_type, length(v_content), v_content)
  returning id into v_id;
  update public.regulatory_bundles set updated_at = now() where id = p_bundle_id;
  perform public.add_regulatory_bundle_event(p_bundle_id, 'document_stored',
    jsonb_build_object('document_id', v_id, 'type', p_type, 'size_bytes', length(v_content)));
  return jsonb_build_object('id', v_id, 'bundle_id', p_bundle_id, 'type', p_type, 'upload_state', 'stored');
end
$$;

-- Documents not yet assigned to their bundle at Twilio, oldest first, with their content (base64).
create or replace function public.list_unsent_regulatory_bundle_documents(p_bundle_id uuid)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', d.id, 'type', d.type, 'attributes', d.attributes, 'file_name', d.file_name,
           'mime_type', d.mime_type, 'content_base64', encode(d.content, 'base64'),
           'upload_state', d.upload_state, 'twilio_document_sid', d.twilio_document_sid) order by d.created_at, d.id), '[]'::jsonb)
    from public.regulatory_bundle_documents d
   where d.bundle_id = p_bundle_id and d.upload_state <> 'assigned'
$$;

-- Records one step of sending a document: 'uploaded' (with its RD… SID), 'assigned', or a failure.
create or replace function public.record_regulatory_bundle_document_step(
  p_document_id uuid, p_step text, p_twilio_sid text default null, p_error text default null)
returns jsonb
language plpgsql
as $$
declare
  v_bundle uuid;
begin
  if p_step = 'uploaded' then
    update public.regulatory_bundle_documents
       set upload_state = 'uploaded', twilio_document_sid = p_twilio_sid, last_error = null, updated_at = now()
     where id = p_document_id and upload_state = 'stored' returning bundle_id into v_bundle;
  elsif p_step = 'assigned' then
    update public.regulatory_bundle_documents
       set upload_state = 'assigned', assignment_sid = p_twilio_sid, last_error = null, updated_at = now()
     where id = p_document_id and upload_state = 'uploaded' returning bundle_id into v_bundle;
  elsif p_step = 'failed' then
    update public.regulatory_bundle_documents
       set attempts = attempts + 1, last_error = left(p_error, 500), updated_at = now()
     where id = p_document_id returning bundle_id into v_bundle;
  else
    raise exception using errcode = '22023', message = format('Unknown document step %s', p_step);
  end if;
  if v_bundle is not null then
    perform public.add_regulatory_bundle_event(v_bundle, 'document_' || p_step,
      jsonb_strip_nulls(jsonb_build_object('document_id', p_document_id, 'twilio_sid', p_twilio_sid, 'error', left(p_error, 500))));
  end if;
  return jsonb_build_object('recorded', v_bundle is not null);
end
$$;

create or replace function public.record_regulatory_bundle_evaluation(p_bundle_id uuid, p_evaluation jsonb)
returns jsonb
language plpgsql
as $$
begin
  update public.regulatory_bundles set last_evaluation = p_evaluation, updated_at = now() where id = p_bundle_id;
  if not found then
    raise exception using errcode = 'P0002', message = format('Bundle %s does not exist', p_bundle_id);
  end if;
  perform public.add_regulatory_bundle_event(p_bundle_id, 'evaluated',
    jsonb_build_object('evaluation_sid', p_evaluation ->> 'sid', 'result', p_evaluation ->> 'status'));
  return public.regulatory_bundle_json(p_bundle_id);
end
$$;

create or replace function public.record_regulatory_bundle_submission(p_bundle_id uuid)
returns jsonb
language plpgsql
as $$
begin
  update public.regulatory_bundles
     set status = 'pending-review', failure_reason = null, next_check_at = now(), updated_at = now()
   where id = p_bundle_id and status = 'draft';
  if not found then
    raise exception using errcode = '22023', message = 'Only a draft bundle can be submitted';
  end if;
  perform public.add_regulatory_bundle_event(p_bundle_id, 'submitted');
  return public.regulatory_bundle_json(p_bundle_id);
end
$$;

-- The monitor's work: bundles under review, and approved bundles whose number is not bought yet, whose
-- next check is due and whose lease is free or expired. SKIP LOCKED lets instances claim disjoint sets.
create or replace function public.claim_due_regulatory_bundles(p_owner text, p_limit integer, p_lease_seconds integer)
returns jsonb
language sql
as $$
  with due as (
    select b.id from public.regulatory_bundles b
     where (b.status in ('pending-review', 'in-review')
            or (b.status in ('twilio-approved', 'provisionally-approved') and b.purchase_state in ('none', 'purchasing')))
       and b.next_check_at <= now()
       and (b.lease_expires_at is null or b.lease_expires_at < now())
     order by b.next_check_at, b.id
     limit greatest(p_limit, 0)
     for update skip locked
  ), claimed as (
    update public.regulatory_bundles b
       set lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
      from due where b.id = due.id
    returning b.id
  )
  select coalesce(jsonb_agg(public.regulatory_bundle_json(claimed.id)), '[]'::jsonb) from claimed
$$;

-- Claims one bundle (status callback, simulated approval); null when another worker holds a live lease.
create or replace function public.claim_regulatory_bundle(p_bundle_id uuid, p_owner text, p_lease_seconds integer)
returns jsonb
language plpgsql
as $$
declare
  v_id uuid;
begin
  select b.id into v_id from public.regulatory_bundles b
   where b.id = p_bundle_id
     and (b.lease_expires_at is null or b.lease_expires_at < now() or b.lease_owner = p_owner)
   for update skip locked;
  if v_id is null then
    return null;
  end if;
  update public.regulatory_bundles
     set lease_owner = p_owner, lease_expires_at = now() + make_interval(secs => p_lease_seconds)
   where id = v_id;
  return public.regulatory_bundle_json(v_id);
end
$$;

-- Extends a lease that is still ours; false when it expired and may be someone else's now.
create or replace function public.renew_regulatory_bundle_lease(p_bundle_id uuid, p_owner text, p_lease_seconds integer)
returns jsonb
language sql
as $$
  with renewed as (
    update public.regulatory_bundles
       set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     where id = p_bundle_id and lease_owner = p_owner and lease_expires_at > now()
    returning id)
  select to_jsonb(exists (select 1 from renewed))
$$;

create or replace function public.release_regulatory_bundle_lease(p_bundle_id uuid, p_owner text, p_next_check_seconds integer)
returns jsonb
language sql
as $$
  with released as (
    update public.regulatory_bundles
       set lease_owner = null, lease_expires_at = null,
           next_check_at = now() + make_interval(secs => greatest(p_next_check_seconds, 0))
     where id = p_bundle_id and lease_owner = p_owner
    returning id)
  select to_jsonb(exists (select 1 from released))
$$;

-- Twilio's status of the bundle (re-read from Twilio, or simulated by an admin). Timeline only on a change.
create or replace function public.apply_regulatory_bundle_status(
  p_bundle_id uuid, p_status text, p_failure_reason text, p_source text)
returns jsonb
language plpgsql
as $$
declare
  v_old text;
begin
  select status into v_old from public.regulatory_bundles where id = p_bundle_id for update;
  if v_old is null then
    raise exception using errcode = 'P0002', message = format('Bundle %s does not exist', p_bundle_id);
  end if;
  if p_status not in ('draft', 'pending-review', 'in-review', 'twilio-rejected', 'twilio-approved', 'provisionally-approved') then
    raise exception using errcode = '22023', message = format('Unknown bundle status %s', p_status);
  end if;
  if v_old is distinct from p_status then
    update public.regulatory_bundles
       set status = p_status,
           failure_reason = case when p_status = 'twilio-rejected' then coalesce(p_failure_reason, failure_reason) else failure_reason end,
           next_check_at = now(), updated_at = now()
     where id = p_bundle_id;
    perform public.add_regulatory_bundle_event(p_bundle_id, 'status_changed', jsonb_strip_nulls(jsonb_build_object(
      'from', v_old, 'to', p_status, 'source', p_source,
      'failure_reason', case when p_status = 'twilio-rejected' then p_failure_reason end)));
  end if;
  return public.regulatory_bundle_json(p_bundle_id);
end
$$;

-- Before any purchase request: the durable mark that a purchase may be under way. Refused (false) unless the
-- caller holds a live lease, the bundle is approved and its number is not recorded yet.
create or replace function public.start_regulatory_bundle_purchase(p_bundle_id uuid, p_owner text)
returns jsonb
language plpgsql
as $$
declare
  v_state text;
begin
  update public.regulatory_bundles
     set purchase_state = 'purchasing', purchase_attempts = purchase_attempts + 1, updated_at = now()
   where id = p_bundle_id and lease_owner = p_owner and lease_expires_at > now()
     and status in ('twilio-approved', 'provisionally-approved') and purchase_state in ('none', 'purchasing')
  returning purchase_state into v_state;
  if v_state is null then
    return jsonb_build_object('started', false);
  end if;
  perform public.add_regulatory_bundle_event(p_bundle_id, 'purchase_started', jsonb_build_object('owner', p_owner));
  return jsonb_build_object('started', true);
end
$$;

-- The number Twilio holds for the bundle, recorded for its company and its user. Idempotent: recording the
-- same number again changes nothing; a second, different number is refused (it would be a double purchase).
create or replace function public.record_regulatory_bundle_purchase(
  p_bundle_id uuid, p_phone_number text, p_twilio_sid text, p_voice_url text, p_sms_url text, p_status_callback_url text)
returns jsonb
language plpgsql
as $$
declare
  b public.regulatory_bundles%rowtype;
begin
  select * into b from public.regulatory_bundles where id = p_bundle_id for update;
  if b.id is null then
    raise exception using errcode = 'P0002', message = format('Bundle %s does not exist', p_bundle_id);
  end if;
  if b.purchase_state = 'purchased' then
    if b.phone_number_sid is distinct from p_twilio_sid then
      raise exception using errcode = '23505', message = format('Bundle %s already has number %s', p_bundle_id, b.phone_number_sid);
    end if;
    return public.regulatory_bundle_json(p_bundle_id);
  end if;
  insert into public.phone_numbers (phone_number, company_id, twilio_sid, bundle_id, voice_url, sms_url, status_callback_url,
                                    webhook_state, webhooks_configured_at)
  values (p_phone_number, b.company_id, p_twilio_sid, b.id, p_voice_url, p_sms_url, p_status_callback_url, 'configured', now())
  on conflict (phone_number) do update
    set company_id = excluded.company_id, twilio_sid = excluded.twilio_sid, bundle_id = excluded.bundle_id,
        voice_url = excluded.voice_url, sms_url = excluded.sms_url, status_callback_url = excluded.status_callback_url,
        webhook_state = 'configured', webhooks_configured_at = now(), updated_at = now();
  if b.created_by is not null then
    insert into public.phone_number_users (phone_number, user_id, company_id)
    values (p_phone_number, b.created_by, b.company_id)
    on conflict (phone_number, user_id) do update set company_id = excluded.company_id;
  end if;
  update public.regulatory_bundles
     set purchase_state = 'purchased', phone_number = p_phone_number, phone_number_sid = p_twilio_sid,
         purchase_error = null, updated_at = now()
   where id = p_bundle_id;
  perform public.add_regulatory_bundle_event(p_bundle_id, 'number_purchased',
    jsonb_build_object('phone_number', p_phone_number, 'twilio_sid', p_twilio_sid));
  return public.regulatory_bundle_json(p_bundle_id);
end
$$;

-- A purchase attempt that did not end in a number: final (Twilio refused; purchase_state failed) or retried later.
create or replace function public.record_regulatory_bundle_purchase_failure(p_bundle_id uuid, p_error text, p_final boolean)
returns jsonb
language plpgsql
as $$
begin
  update public.regulatory_bundles
     set purchase_error = left(p_error, 500),
         purchase_state = case when p_final and purchase_state <> 'purchased' then 'failed' else purchase_state end,
         updated_at = now()
   where id = p_bundle_id;
  perform public.add_regulatory_bundle_event(p_bundle_id, case when p_final then 'purchase_failed' else 'purchase_retry' end,
    jsonb_build_object('error', left(p_error, 500)));
  return public.regulatory_bundle_json(p_bundle_id);
end
$$;

revoke execute on function public.regulatory_bundle_json(uuid) from public, anon, authenticated;
grant execute on function public.regulatory_bundle_json(uuid) to service_role;
revoke execute on function public.add_regulatory_bundle_event(uuid, text, jsonb) from public, anon, authenticated;
grant execute on function public.add_regulatory_bundle_event(uuid, text, jsonb) to service_role;
revoke execute on function public.create_regulatory_bundle(jsonb) from public, anon, authenticated;
grant execute on function public.create_regulatory_bundle(jsonb) to service_role;
revoke execute on function public.get_regulatory_bundle(uuid) from public, anon, authenticated;
grant execute on function public.get_regulatory_bundle(uuid) to service_role;
revoke execute on function public.get_regulatory_bundle_company(uuid) from public, anon, authenticated;
grant execute on function public.get_regulatory_bundle_company(uuid) to service_role;
revoke execute on function public.find_regulatory_bundle_by_sid(text) from public, anon, authenticated;
grant execute on function public.find_regulatory_bundle_by_sid(text) to service_role;
revoke execute on function public.list_regulatory_bundles(uuid) from public, anon, authenticated;
grant execute on function public.list_regulatory_bundles(uuid) to service_role;
revoke execute on function public.add_regulatory_bundle_document(uuid, text, jsonb, text, text, text) from public, anon, authenticated;
grant execute on function public.add_regulatory_bundle_document(uuid, text, jsonb, text, text, text) to service_role;
revoke execute on function public.list_unsent_regulatory_bundle_documents(uuid) from public, anon, authenticated;
grant execute on function public.list_unsent_regulatory_bundle_documents(uuid) to service_role;
revoke execute on function public.record_regulatory_bundle_document_step(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.record_regulatory_bundle_document_step(uuid, text, text, text) to service_role;
revoke execute on function public.record_regulatory_bundle_evaluation(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.record_regulatory_bundle_evaluation(uuid, jsonb) to service_role;
revoke execute on function public.record_regulatory_bundle_submission(uuid) from public, anon, authenticated;
grant execute on function public.record_regulatory_bundle_submission(uuid) to service_role;
revoke execute on function public.claim_due_regulatory_bundles(text, integer, integer) from public, anon, authenticated;
grant execute on function public.claim_due_regulatory_bundles(text, integer, integer) to service_role;
revoke execute on function public.claim_regulatory_bundle(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.claim_regulatory_bundle(uuid, text, integer) to service_role;
revoke execute on function public.renew_regulatory_bundle_lease(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.renew_regulatory_bundle_lease(uuid, text, integer) to service_role;
revoke execute on function public.release_regulatory_bundle_lease(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.release_regulatory_bundle_lease(uuid, text, integer) to service_role;
revoke execute on function public.apply_regulatory_bundle_status(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.apply_regulatory_bundle_status(uuid, text, text, text) to service_role;
revoke execute on function public.start_regulatory_bundle_purchase(uuid, text) from public, anon, authenticated;
grant execute on function public.start_regulatory_bundle_purchase(uuid, text) to service_role;
revoke execute on function public.record_regulatory_bundle_purchase(uuid, text, text, text, text, text) from public, anon, authenticated;
grant execute on function public.record_regulatory_bundle_purchase(uuid, text, text, text, text, text) to service_role;
revoke execute on function public.record_regulatory_bundle_purchase_failure(uuid, text, boolean) from public, anon, authenticated;
grant execute on function public.record_regulatory_bundle_purchase_failure(uuid, text, boolean) to service_role;
