import type { Knex } from 'knex';

/**
 * Periodic access reviews: one review per employer per period (ACCESS_REVIEW_MONTHS), with one item per permission
 * current when it opened. The administrators of each code confirm or remove its items; at the deadline the items
 * still undecided are ended (`expired`). A partial unique index allows one open review per employer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table access_reviews (
      id uuid primary key default gen_random_uuid(),
      employer_id uuid not null references employers (id),
      opened_at timestamptz not null,
      deadline_at timestamptz not null,
      reminded_at timestamptz,
      closed_at timestamptz,
      constraint access_reviews_deadline_check check (deadline_at > opened_at),
      constraint access_reviews_closed_check check (closed_at is null or closed_at >= opened_at)
    );
    comment on table access_reviews is 'A periodic review of an employer''s permissions by its administrators.';
    create unique index access_reviews_one_open_idx on access_reviews (employer_id) where closed_at is null;
    create index access_reviews_employer_idx on access_reviews (employer_id, opened_at);
    create index access_reviews_deadline_idx on access_reviews (deadline_at) where closed_at is null;

    create table access_review_items (
      id uuid primary key default gen_random_uuid(),
      review_id uuid not null references access_reviews (id),
      permission_id uuid not null references permissions (id),
      -- the permission's own code, person and service, copied so that a page filters and counts by code without
      -- reading the permission; the permission's foreign keys hold them (checks of their own here more than doubled
      -- the opening's time: 6.3 s against 2.8 s for 100,000 items, npm run bench:reviews -- --scale small)
      employer_code_id uuid not null,
      person_id uuid not null,
      service_id uuid not null,
      -- the page's order as it was when the review opened (code, the person's name, the service's place), so that
      -- a page is read from an index, not sorted out of all the employer's items
      code text not null,
      person_name text not null,
      service_order integer not null,
      decision text
        constraint access_review_items_decision_check check (decision in ('confirmed', 'removed', 'expired')),
      decided_by_person_id uuid references persons (id),
      decided_at timestamptz,
      constraint access_review_items_one_per_permission_key unique (review_id, permission_id),
      constraint access_review_items_decided_check check ((decision is null) = (decided_at is null)),
      constraint access_review_items_decided_by_check
        check (decided_by_person_id is null or decision in ('confirmed', 'removed'))
    );
    comment on table access_review_items is 'One permission under review, and what became of it.';
    create index access_review_items_code_idx on access_review_items (review_id, employer_code_id);
    create index access_review_items_page_idx
      on access_review_items (review_id, code, person_name, person_id, service_order);
    create index access_review_items_undecided_idx on access_review_items (review_id) where decision is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table access_review_items; drop table access_reviews');
}
