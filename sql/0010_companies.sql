-- Companies and their members (issue 3). Authorisation (who may call these) is decided by the API's guards;
-- these functions keep the invariants that must hold whoever calls them: a company always keeps an owner.

create or replace function public.create_company(p_name text, p_owner_id uuid)
returns jsonb
language plpgsql
as $$
declare
  v_company public.companies;
begin
  if p_name is null or length(btrim(p_name)) = 0 then
    raise exception using errcode = '22023', message = 'name must not be empty';
  end if;
  insert into public.companies (name) values (btrim(p_name)) returning * into v_company;
  insert into public.company_members (company_id, user_id, role) values (v_company.id, p_owner_id, 'owner');
  return jsonb_build_object('id', v_company.id, 'name', v_company.name, 'role', 'owner',
                            'created_at', v_company.created_at, 'updated_at', v_company.updated_at);
end
$$;

create or replace function public.get_company(p_company_id uuid)
returns jsonb
language plpgsql
stable
as $$
declare
  v_result jsonb;
begin
  select jsonb_build_object('id', c.id, 'name', c.name, 'created_at', c.created_at, 'updated_at', c.updated_at,
                            'member_count', (select count(*) from public.company_members m where m.company_id = c.id))
    into v_result
    from public.companies c
   where c.id = p_company_id;
  if v_result is null then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  return v_result;
end
$$;

create or replace function public.list_company_members(p_company_id uuid)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object('user_id', m.user_id, 'role', m.role, 'created_at', m.created_at)
                            order by m.created_at, m.user_id), '[]'::jsonb)
    from public.company_members m
   where m.company_id = p_company_id
$$;

-- p_may_manage_owners: whether the caller may grant the owner role (owners and platform admins).
create or replace function public.add_company_member(p_company_id uuid, p_user_id uuid, p_role text, p_may_manage_owners boolean)
returns jsonb
language plpgsql
as $$
declare
  v_member public.company_members;
begin
  if p_role not in ('owner', 'admin', 'member') then
    raise exception using errcode = '22023', message = 'role must be owner, admin or member';
  end if;
  if p_role = 'owner' and not p_may_manage_owners then
    raise exception using errcode = '42501', message = 'Only owners can add another owner';
  end if;
  if not exists (select 1 from public.companies where id = p_company_id) then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  insert into public.company_members (company_id, user_id, role)
  values (p_company_id, p_user_id, p_role)
  on conflict (company_id, user_id) do nothing
  returning * into v_member;
  if v_member.user_id is null then
    raise exception using errcode = '23505',
      message = format('User %s is already a member of this company; remove them first to change their role', p_user_id);
  end if;
  return jsonb_build_object('user_id', v_member.user_id, 'role', v_member.role, 'created_at', v_member.created_at);
end
$$;

create or replace function public.remove_company_member(p_company_id uuid, p_user_id uuid, p_may_manage_owners boolean)
returns jsonb
language plpgsql
as $$
declare
  v_role text;
begin
  -- Lock the company's owner rows so two concurrent removals cannot both pass the last-owner check.
  perform 1 from public.company_members where company_id = p_company_id and role = 'owner' for update;
  select role into v_role from public.company_members where company_id = p_company_id and user_id = p_user_id;
  if v_role is null then
    raise exception using errcode = 'P0002', message = format('User %s is not a member of this company', p_user_id);
  end if;
  if v_role = 'owner' then
    if not p_may_manage_owners then
      raise exception using errcode = '42501', message = 'Only owners can remove an owner';
    end if;
    if (select count(*) from public.company_members where company_id = p_company_id and role = 'owner') = 1 then
      raise exception using errcode = '23505', message = 'A company must keep at least one owner; add another owner first';
    end if;
  end if;
  delete from public.company_members where company_id = p_company_id and user_id = p_user_id;
  return jsonb_build_object('user_id', p_user_id, 'role', v_role, 'removed', true);
end
$$;

revoke execute on function public.create_company(text, uuid) from public, anon, authenticated;
revoke execute on function public.get_company(uuid) from public, anon, authenticated;
revoke execute on function public.list_company_members(uuid) from public, anon, authenticated;
revoke execute on function public.add_company_member(uuid, uuid, text, boolean) from public, anon, authenticated;
revoke execute on function public.remove_company_member(uuid, uuid, boolean) from public, anon, authenticated;
grant execute on function public.create_company(text, uuid) to service_role;
grant execute on function public.get_company(uuid) to service_role;
grant execute on function public.list_company_members(uuid) to service_role;
grant execute on function public.add_company_member(uuid, uuid, text, boolean) to service_role;
grant execute on function public.remove_company_member(uuid, uuid, boolean) to service_role;
