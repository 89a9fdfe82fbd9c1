import type { Knex } from 'knex';

/**
 * Identity-number checks shared by every table that stores one, then persons and agency staff.
 *
 * luhn_valid is PL/pgSQL (a loop reads more plainly than set arithmetic). personal_identity_number_valid has an
 * SQL-standard body, so PostgreSQL binds its call to luhn_valid at creation time: a restore with an empty
 * search_path still validates the check constraints that use it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function luhn_valid(digits text) returns boolean
    language plpgsql immutable strict parallel safe
    as $$
    declare
      total integer := 0;
      digit integer;
      place integer;
    begin
      if digits !~ '^[0-9]+$' then
        return false;
      end if;
      -- place 1 is the rightmost digit (the check digit); every second digit from it is doubled
      for place in 1 .. length(digits) loop
        digit := ascii(substr(digits, length(digits) - place + 1, 1)) - 48;
        if place % 2 = 0 then
          digit := digit * 2;
          if digit > 9 then
            digit := digit - 9;
          end if;
        end if;
        total := total + digit;
      end loop;
      return total % 10 = 0;
    end;
    $$;

    comment on function luhn_valid(text) is 'True when the string is all digits and its last digit is a correct Luhn check digit.';

    -- 12 digits YYYYMMDDNNNC: a real date (a samordningsnummer adds 60 to the day) and a Luhn check digit over the
    -- last 10 digits. The nested CASE keeps the casts and make_date away from values that are not digits.
    create function personal_identity_number_valid(value text) returns boolean
    language sql immutable strict parallel safe
    return case
      when value !~ '^[0-9]{12}$' then false
      when substr(value, 1, 4)::integer < 1800 or substr(value, 5, 2)::integer not between 1 and 12 then false
      else (substr(value, 7, 2)::integer % 60) between 1 and extract(day from
          make_date(substr(value, 1, 4)::integer, substr(value, 5, 2)::integer, 1) + interval '1 month - 1 day')
        and luhn_valid(substr(value, 3))
    end;

    comment on function personal_identity_number_valid(text) is 'Personnummer or samordningsnummer, 12 digits.';

    create table persons (
      id uuid primary key default gen_random_uuid(),
      personal_identity_number char(12) not null
        constraint persons_personal_identity_number_key unique
        constraint persons_personal_identity_number_check check (personal_identity_number_valid(personal_identity_number)),
      given_name text,
      family_name text,
      display_name text not null
        constraint persons_display_name_check check (display_name = btrim(display_name) and display_name <> ''),
      email text constraint persons_email_check check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
      phone text,
      preferred_language text not null default 'sv'
        constraint persons_preferred_language_check check (preferred_language in ('sv', 'en')),
      last_login_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    comment on table persons is 'Everyone the portal knows, keyed on personal identity number (never on a SAML NameID).';

    -- prefix search on names and e-mail; text_pattern_ops lets lower(x) like 'abc%' use the index
    create index persons_display_name_search_idx on persons (lower(display_name) text_pattern_ops);
    create index persons_family_name_search_idx on persons (lower(family_name) text_pattern_ops);
    create index persons_email_search_idx on persons (lower(email) text_pattern_ops);
    -- users who have not logged in for 18 months
    create index persons_last_login_at_idx on persons (last_login_at);

    create table staff (
      person_id uuid primary key references persons (id),
      added_at timestamptz not null default now(),
      removed_at timestamptz,
      constraint staff_removed_after_added_check check (removed_at >= added_at)
    );

    comment on table staff is 'Agency staff (SPV handläggare); current while removed_at is null.';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table staff;
    drop table persons;
    drop function personal_identity_number_valid(text);
    drop function luhn_valid(text);
  `);
}
