import type { Knex } from 'knex';

const TERMS_2020_03 = {
  version: '2020-03',
  published_at: '2020-03-01T00:00:00+01:00',
  body_sv: [
    'Dessa allmänna villkor gäller för arbetsgivarens användning av SPV:s självbetjäningstjänster från och med den 1 mars 2020. Behörig beställare godkänner villkoren för arbetsgivarens räkning.',
    'Arbetsgivarens ansvar för behörigheter. Arbetsgivaren ansvarar för att behörigheterna till självbetjäningstjänsterna alltid är korrekta och aktuella. Arbetsgivaren utser en behörig beställare och minst en ansvarig administratör för varje arbetsgivarkod, aktiv eller avslutad. Administratörerna ger och tar bort behörigheter för arbetsgivarens användare.',
    'Behörigheternas giltighet och borttagning. En behörighet gäller för en person, en arbetsgivarkod och en tjänst tills den tas bort. Arbetsgivaren ska utan dröjsmål ta bort en behörighet när personen inte längre ska ha den, till exempel när anställningen upphör eller arbetsuppgifterna ändras. Administratörerna får påminnelser om användare som inte har loggat in på 18 månader och ska då pröva om behörigheten ska finnas kvar.',
    'Informationssäkerhetsincidenter. Arbetsgivaren ska genast kontakta SPV om en obehörig person kan ha fått tillgång till självbetjäningstjänsterna eller till uppgifter i dem, eller om en e-legitimation som används i tjänsterna har förlorats eller missbrukats. Arbetsgivaren ska då också ta bort berörda behörigheter.',
    'Ändrade villkor. SPV kan ändra dessa villkor. Nya villkor meddelas behörig beställare i god tid innan de börjar gälla.',
  ].join('\n\n'),
  body_en: [
    "These general terms apply to the employer's use of SPV's self-service services from 1 March 2020. The authorized orderer accepts them on the employer's behalf.",
    "The employer's responsibility for permissions. The employer is responsible for keeping the permissions to the self-service services correct and current at all times. The employer appoints an authorized orderer and at least one administrator for every employer code, active or closed. The administrators grant and remove permissions for the employer's users.",
    'Validity and removal of permissions. A permission applies to one person, one employer code and one service until it is removed. The employer must remove a permission without delay when the person should no longer have it, for example when the employment ends or the duties change. Administrators are reminded of users who have not logged in for 18 months and must then consider whether the permission should remain.',
    'Information-security incidents. The employer must contact SPV at once if an unauthorized person may have gained access to the self-service services or to information in them, or if an e-ID used for the services has been lost or misused. The employer must then also remove the permissions concerned.',
    'Changes to the terms. SPV may change these terms. New terms are announced to the authorized orderer in good time before they apply.',
  ].join('\n\n'),
};

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table terms_versions (
      id uuid primary key default gen_random_uuid(),
      version text not null
        constraint terms_versions_version_key unique
        constraint terms_versions_version_check check (version = btrim(version) and version <> ''),
      body_sv text not null constraint terms_versions_body_sv_check check (btrim(body_sv) <> ''),
      body_en text not null constraint terms_versions_body_en_check check (btrim(body_en) <> ''),
      published_at timestamptz not null,
      created_at timestamptz not null default now()
    );

    comment on table terms_versions is
      'General terms of the self-service services; bodies are plain text, paragraphs separated by a blank line.';

    create table orderer_applications (
      id uuid primary key default gen_random_uuid(),
      employer_id uuid not null references employers (id),
      name text not null constraint orderer_applications_name_check check (name = btrim(name) and name <> ''),
      title text not null constraint orderer_applications_title_check check (title = btrim(title) and title <> ''),
      personal_identity_number char(12) not null constraint orderer_applications_personal_identity_number_check
        check (personal_identity_number_valid(personal_identity_number)),
      email text not null constraint orderer_applications_email_check check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
      phone text,
      status text not null default 'invited' constraint orderer_applications_status_check
        check (status in ('invited', 'signed_eid', 'awaiting_paper', 'active', 'replaced', 'expired', 'cancelled')),
      invitation_token_hash text constraint orderer_applications_invitation_token_hash_key unique,
      invitation_expires_at timestamptz,
      registered_by_person_id uuid references staff (person_id),
      accepted_terms_version_id uuid references terms_versions (id),
      terms_accepted_at timestamptz,
      submitted_form jsonb,
      submitted_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint orderer_applications_id_employer_id_key unique (id, employer_id),
      constraint orderer_applications_invitation_check
        check (status <> 'invited' or (invitation_token_hash is not null and invitation_expires_at is not null)),
      constraint orderer_applications_terms_check
        check ((accepted_terms_version_id is null) = (terms_accepted_at is null)),
      constraint orderer_applications_submitted_check check (
        status not in ('signed_eid', 'awaiting_paper', 'active', 'replaced')
        or (accepted_terms_version_id is not null and submitted_form is not null and submitted_at is not null)
      )
    );

    comment on column orderer_applications.invitation_token_hash is 'SHA-256 (hex) of the e-mailed token; never the token.';
    comment on column orderer_applications.submitted_form is
      'The form as sent in step 3 (employer codes, delegation, terms version): the content the signature covers.';

    create unique index orderer_applications_one_open_per_employer_idx on orderer_applications (employer_id)
      where status in ('invited', 'signed_eid', 'awaiting_paper');
    create unique index orderer_applications_one_active_per_employer_idx on orderer_applications (employer_id)
      where status = 'active';
    create index orderer_applications_employer_id_idx on orderer_applications (employer_id, created_at);
    create index orderer_applications_personal_identity_number_idx on orderer_applications (personal_identity_number);
    create index orderer_applications_status_idx on orderer_applications (status, created_at);

    create table signatures (
      id uuid primary key default gen_random_uuid(),
      application_id uuid not null references orderer_applications (id),
      method text not null constraint signatures_method_check check (method in ('eid', 'paper')),
      signer_person_id uuid references persons (id),
      signed_at timestamptz not null,
      form_content_hash text not null constraint signatures_form_content_hash_check check (form_content_hash <> ''),
      sign_message text,
      sign_message_digest text,
      assertion_xml text,
      saml_request_id text constraint signatures_saml_request_id_key unique,
      recorded_by_person_id uuid references staff (person_id),
      created_at timestamptz not null default now(),
      constraint signatures_eid_evidence_check check (
        method <> 'eid' or (
          signer_person_id is not null and sign_message is not null and sign_message_digest is not null
          and assertion_xml is not null and saml_request_id is not null and recorded_by_person_id is null
        )
      ),
      constraint signatures_paper_evidence_check check (
        method <> 'paper' or (
          recorded_by_person_id is not null and sign_message is null and sign_message_digest is null
          and assertion_xml is null and saml_request_id is null
        )
      )
    );

    comment on table signatures is
      'Evidence that an orderer signed the application form: the e-ID assertion and sign message, or the paper form recorded by staff.';

    create index signatures_application_id_idx on signatures (application_id);
  `);
  await knex('terms_versions').insert(TERMS_2020_03);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table signatures;
    drop table orderer_applications;
    drop table terms_versions;
  `);
}
