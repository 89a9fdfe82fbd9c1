import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatOrganisationNumber, formatPersonalIdentityNumber } from '../domain/identity-numbers';
import type { OrdererForm } from './form-content';

type Translate = (key: string, options?: Record<string, unknown>) => string;

const PAGE = { width: 595.28, height: 841.89, margin: 56 };
const SIZE = { title: 16, heading: 12, body: 10 };

/** The standard fonts encode WinAnsi only: other characters become '?' rather than failing the PDF. */
function printable(text: string): string {
  return text.normalize('NFC').replace(/[^\x20-\x7E\xA0-\xFF\u2013\u2014\u2018\u2019\u201C\u201D\u2026\u20AC]/g, '?');
}

/** Lays text out top to bottom, wrapping lines and starting new pages as needed. */
class Writer {
  private page: PDFPage;
  private y: number;

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.page = doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  private ensure(height: number): void {
    if (this.y - height >= PAGE.margin) return;
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  private wrap(text: string, font: PDFFont, size: number): string[] {
    const maxWidth = PAGE.width - 2 * PAGE.margin;
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= maxWidth || !line) line = candidate;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  text(text: string, options: { size?: number; bold?: boolean; gapAfter?: number } = {}): void {
    const size = options.size ?? SIZE.body;
    const font = options.bold ? this.bold : this.font;
    for (const line of this.wrap(printable(text), font, size)) {
      this.ensure(size * 1.4);
      this.page.drawText(line, { x: PAGE.margin, y: this.y - size, size, font, color: rgb(0, 0, 0) });
      this.y -= size * 1.4;
    }
    this.y -= options.gapAfter ?? 4;
  }

  signatureLine(label: string): void {
    this.ensure(48);
    this.y -= 28;
    this.page.drawLine({
      start: { x: PAGE.margin, y: this.y },
      end: { x: PAGE.margin + 240, y: this.y },
      thickness: 0.7,
    });
    this.y -= 4;
    this.text(label, { size: 9 });
  }
}

/** The orderer's form to print, sign by hand and post: its content, the reference and where to send it. */
export async function ordererFormPdf(
  content: { form: OrdererForm; reference: string; hash: string },
  t: Translate,
): Promise<Uint8Array> {
  const { form } = content;
  const doc = await PDFDocument.create();
  doc.setTitle(t('onboarding.pdf.title'));
  doc.setCreator(t('onboarding.pdf.agency'));
  const writer = new Writer(
    doc,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
  );
  writer.text(t('onboarding.pdf.agency'), { size: SIZE.body });
  writer.text(t('onboarding.pdf.title'), { size: SIZE.title, bold: true, gapAfter: 8 });
  writer.text(t('onboarding.pdf.reference', { reference: content.reference }), { bold: true, gapAfter: 12 });

  writer.text(t('onboarding.pdf.employerHeading'), { size: SIZE.heading, bold: true });
  writer.text(
    `${form.employer.name}, ${t('onboarding.pdf.organisationNumber')} ${formatOrganisationNumber(form.employer.organisationNumber)}`,
  );
  for (const code of form.employerCodes) {
    writer.text(`${code.code} ${code.name}${code.active ? '' : ` (${t('onboarding.codes.inactive')})`}`);
  }

  writer.text(t('onboarding.pdf.ordererHeading'), { size: SIZE.heading, bold: true });
  writer.text(`${form.orderer.name}, ${form.orderer.title}`);
  writer.text(
    `${t('onboarding.fields.personalIdentityNumber')}: ${formatPersonalIdentityNumber(form.orderer.personalIdentityNumber)}`,
  );
  writer.text(`${t('onboarding.fields.email')}: ${form.orderer.email}`, { gapAfter: 12 });

  writer.text(t('onboarding.pdf.delegationHeading'), { size: SIZE.heading, bold: true });
  if (form.delegate) {
    writer.text(t('onboarding.review.delegated'));
    writer.text(
      `${form.delegate.name}, ${formatPersonalIdentityNumber(form.delegate.personalIdentityNumber)}, ${form.delegate.email}`,
      {
        gapAfter: 12,
      },
    );
  } else {
    writer.text(t('onboarding.review.handledByOrderer'), { gapAfter: 12 });
  }

  writer.text(t('onboarding.pdf.termsHeading'), { size: SIZE.heading, bold: true });
  writer.text(t('onboarding.pdf.termsAccepted', { version: form.termsVersion ?? '' }), { gapAfter: 12 });

  writer.text(t('onboarding.pdf.signHeading'), { size: SIZE.heading, bold: true });
  writer.text(t('onboarding.pdf.signBody'));
  writer.signatureLine(t('onboarding.pdf.signatureLabel'));
  writer.signatureLine(t('onboarding.pdf.placeDateLabel'));

  writer.text(t('onboarding.pdf.sendHeading'), { size: SIZE.heading, bold: true });
  writer.text(t('onboarding.pdf.sendBody', { reference: content.reference }));
  writer.text(t('onboarding.pdf.address'), { bold: true, gapAfter: 12 });
  writer.text(t('onboarding.pdf.hash', { hash: content.hash }), { size: 8 });
  return doc.save();
}
