import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { createMailRenderer, type MailRenderer, type RenderedEmail } from '../mail/render';
import { paths, pathTo } from '../paths';
import { idParam, setFlash, staffActor } from '../staff/context';
import { parseForm, type FieldError } from '../web/forms';
import { createI18n } from '../web/i18n';
import { notFound } from '../web/http-errors';
import { letterSchema } from './schemas';
import { letterData, type LaunchService } from './service';

let renderer: Promise<MailRenderer> | undefined;

/** The letter as the mail worker renders it (same templates, same checks), for the preview. */
async function preview(launch: LaunchService, sampleName: string): Promise<RenderedEmail> {
  renderer ??= createI18n().then(createMailRenderer);
  const employer = (await launch.previewEmployer()) ?? { name: sampleName, codes: [] };
  return (await renderer).render('launch-letter', 'sv', letterData(employer, launch.link));
}

/**
 * The text version in parts, each with its language (for screen readers): the Swedish letter, the English one (after
 * the template's divider) and the agency's footer (after the layout's `--`, in the email's language, Swedish).
 */
export function previewSections(text: string): { lang: 'sv' | 'en'; text: string }[] {
  const [swedish = '', rest = ''] = text.split(/\n-{20,}\n/);
  const footerAt = rest.lastIndexOf('\n--\n');
  const english = footerAt === -1 ? rest : rest.slice(0, footerAt);
  const footer = footerAt === -1 ? '' : rest.slice(footerAt + 4);
  return [
    { lang: 'sv' as const, text: swedish },
    { lang: 'en' as const, text: english },
    { lang: 'sv' as const, text: footer },
  ].filter((section) => section.text.trim() !== '');
}

async function renderForm(
  launch: LaunchService,
  res: Response,
  form: { values: Record<string, unknown>; errors: FieldError[] },
  status = 200,
): Promise<void> {
  const [counts, unreachable, letter] = await Promise.all([
    launch.audienceCounts(),
    launch.unreachable(),
    preview(launch, res.locals.t('launch.letter.previewSample')),
  ]);
  res.status(status).render('launch/letter', {
    ...form,
    counts,
    unreachable,
    letter: { subject: letter.subject, sections: previewSections(letter.text) },
    submissionId: randomUUID(),
  });
}

/** The letter: the audience to choose, how many each reaches, who cannot be reached, and the letter itself. */
export function view(launch: LaunchService): RequestHandler {
  return async (_req, res) => {
    await renderForm(launch, res, { values: { audience: 'alla' }, errors: [] });
  };
}

/** Sends, or asks to confirm a second send to employers that already got the letter. */
export function submit(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const form = parseForm(letterSchema, req.body);
    if (!form.ok) {
      // the form's key is not something staff can correct: its message goes with the audience, the form's one field
      const errors = form.errors.map((error) =>
        error.field === 'submissionId' ? { ...error, field: 'audience' } : error,
      );
      await renderForm(launch, res, { values: form.input, errors }, 422);
      return;
    }
    const actor = staffActor(req, res);
    if (actor.type !== 'person') throw notFound();
    const outcome = await launch.send(form.data, actor);
    switch (outcome.status) {
      case 'sent':
      case 'duplicate':
        res.redirect(303, pathTo(paths.launch.letterSent, { submissionId: outcome.submissionId }));
        return;
      case 'nothing-to-send':
        setFlash(req, 'launch.letter.nothingToSend');
        res.redirect(303, paths.launch.letter);
        return;
      case 'needs-confirmation':
        res.render('launch/confirm', {
          ...outcome,
          audienceWord: outcome.audience === 'all' ? 'alla' : 'utan-bestallare',
          submissionId: form.data.submissionId,
        });
        return;
    }
  };
}

/** What one sending sent (the page a sending, or its double submit, ends on). */
export function sent(launch: LaunchService): RequestHandler {
  return async (req, res) => {
    const summary = await launch.sending(idParam(req.params.submissionId));
    if (!summary) throw notFound('no such sending');
    res.render('launch/sent', { summary });
  };
}
