import type { Knex } from 'knex';

/** The self-service catalogue named in the agency's general terms. English names live in the locale files. */
const SERVICES = [
  {
    key: 'hantera-behorigheter',
    name: 'Hantera behörigheter',
    description: 'Utse administratörer och ge eller ta bort behörigheter till självbetjäningstjänsterna.',
  },
  {
    key: 'rapport-direkt',
    name: 'Rapport direkt',
    description: 'Rapportera anställnings- och löneuppgifter och rätta uppgifter som redan har skickats.',
  },
  {
    key: 'visa-anstallning',
    name: 'Visa anställning',
    description: 'Se anställningsuppgifter för arbetsgivarens anställda.',
  },
  {
    key: 'filoverforing',
    name: 'Filöverföring',
    description: 'Skicka lönefiler till SPV på ett säkert sätt.',
  },
  {
    key: 'fakturaspecifikationer',
    name: 'Fakturaspecifikationer',
    description: 'Läs specifikationer till fakturor från SPV, även för avslutade arbetsgivarkoder.',
  },
  {
    key: 'rapporter',
    name: 'Rapporter',
    description: 'Läs rapporter om pensionsärenden.',
  },
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table employers (
      id uuid primary key default gen_random_uuid(),
      organisation_number char(10) not null
        constraint employers_organisation_number_key unique
        constraint employers_organisation_number_check
          check (organisation_number ~ '^[0-9]{10}$' and luhn_valid(organisation_number)),
      name text not null constraint employers_name_check check (name = btrim(name) and name <> ''),
      registry_email text constraint employers_registry_email_check check (registry_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    comment on column employers.registry_email is 'The registry (registrator) or info address letters go to.';

    create index employers_name_search_idx on employers (lower(name) text_pattern_ops);

    create table employer_codes (
      id uuid primary key default gen_random_uuid(),
      employer_id uuid not null references employers (id),
      code text not null
        constraint employer_codes_code_key unique
        constraint employer_codes_code_check check (code = btrim(code) and code <> ''),
      name text not null constraint employer_codes_name_check check (name = btrim(name) and name <> ''),
      active boolean not null default true,
      closed_on date,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- target of composite foreign keys that guarantee a code belongs to the employer named beside it
      constraint employer_codes_id_employer_id_key unique (id, employer_id),
      constraint employer_codes_closed_on_inactive_check check (closed_on is null or not active)
    );

    comment on table employer_codes is
      'Arbetsgivarkoder. Inactive (closed) codes stay: their invoice specifications must remain reachable.';

    create index employer_codes_employer_id_idx on employer_codes (employer_id, code);

    create table services (
      id uuid primary key default gen_random_uuid(),
      key text not null
        constraint services_key_key unique
        constraint services_key_check check (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name text not null constraint services_name_check check (name = btrim(name) and name <> ''),
      description text not null,
      sort_order integer not null default 0,
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    comment on table services is
      'Self-service catalogue. name and description in Swedish; other languages under services.<key> in the locale files.';
  `);
  await knex('services').insert(SERVICES.map((service, index) => ({ ...service, sort_order: (index + 1) * 10 })));
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table services;
    drop table employer_codes;
    drop table employers;
  `);
}
