import type { Knex } from 'knex';

/** A published version of the general terms is what orderers accepted: it can be superseded, never changed. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function terms_versions_refuse_change() returns trigger
    language plpgsql
    as $$
    begin
      raise exception 'terms_versions are immutable: % refused', tg_op
        using hint = 'Publish a new version instead.';
    end;
    $$;
    create trigger terms_versions_refuse_update_delete before update or delete on terms_versions
      for each row execute function terms_versions_refuse_change();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger terms_versions_refuse_update_delete on terms_versions;
    drop function terms_versions_refuse_change();
  `);
}
