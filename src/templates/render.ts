import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  ImageRun,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import QRCode from 'qrcode';
import { bufferedPdf } from '../shared/pdf-fonts';
import { fillText, qrValue, type FieldValues, type TemplateBody } from './templates.schemas';

// A template's blocks filled with a person's or an organization's values, as an A4 PDF (to print and sign)
// or a DOCX (to edit in a word processor). Both carry the template's kind and version: in the file's
// properties and in a small footer line.

export interface DocumentSource {
  kind: string;
  version: number;
  body: TemplateBody;
  values: FieldValues;
  /** When it was generated, as the footer says it ('ДД.ММ.ГГГГ'). */
  generatedOn: string;
}

/** The footer line and the file's properties that name the template a document came from. */
export function provenance(src: DocumentSource) {
  return {
    footer: `Шаблон «${src.body.title}» (${src.kind}), версия ${src.version}. Сформировано в реестре Профсоюза ${src.generatedOn}`,
    subject: `Шаблон ${src.kind}, версия ${src.version}`,
    keywords: `template:${src.kind}; version:${src.version}`,
  };
}

const qrPng = (value: string) =>
  QRCode.toBuffer(value, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });

/** The blocks with their texts filled in; a QR block without a value (no card) is left out. */
async function filled(src: DocumentSource) {
  const fill = (t: string) => fillText(t, src.values);
  const out = [];
  for (const b of src.body.blocks) {
    if (b.type === 'heading') out.push({ type: b.type, text: fill(b.text) });
    else if (b.type === 'paragraph') out.push({ type: b.type, text: fill(b.text), align: b.align ?? 'justify' });
    else if (b.type === 'fields')
      out.push({ type: b.type, rows: b.rows.map((r) => ({ label: fill(r.label), value: fill(r.value) })) });
    else if (b.type === 'signatures') out.push({ type: b.type, lines: b.lines.map(fill) });
    else {
      const value = qrValue(b.value, src.values);
      if (value) out.push({ type: b.type, png: await qrPng(value), caption: b.caption ? fill(b.caption) : value });
    }
  }
  return out;
}

const MARGIN = 56;

export async function renderTemplatePdf(src: DocumentSource): Promise<Buffer> {
  const meta = provenance(src);
  const { doc, done } = bufferedPdf({
    margin: MARGIN,
    info: {
      Title: src.body.title,
      Author: 'Реестр Профсоюза образования',
      Subject: meta.subject,
      Keywords: meta.keywords,
    },
  });
  const width = doc.page.width - 2 * MARGIN;
  const footer = () => {
    // below the bottom margin, where text would otherwise start a new page
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(7)
      .fillColor('#555555')
      .text(meta.footer, MARGIN, doc.page.height - MARGIN + 12, { width, height: 2 * MARGIN - 24 });
    doc.fillColor('black');
    doc.page.margins.bottom = bottom;
  };
  doc.on('pageAdded', footer);
  footer();
  doc.x = MARGIN;
  doc.y = MARGIN;
  for (const b of await filled(src)) {
    if (b.type === 'heading') doc.moveDown(0.8).font('bold').fontSize(14).text(b.text, { align: 'center' });
    else if (b.type === 'paragraph') doc.moveDown(0.6).font('regular').fontSize(11).text(b.text, { align: b.align });
    else if (b.type === 'fields') {
      doc.moveDown(0.6).fontSize(10);
      for (const row of b.rows) {
        const y = doc.y;
        const labelWidth = width * 0.4;
        doc.font('bold').text(row.label, MARGIN, y, { width: labelWidth - 8 });
        const afterLabel = doc.y;
        doc.font('regular').text(row.value, MARGIN + labelWidth, y, { width: width - labelWidth });
        doc.y = Math.max(afterLabel, doc.y) + 4;
      }
      doc.x = MARGIN;
    } else if (b.type === 'signatures') {
      doc.moveDown(1.2).font('regular').fontSize(10);
      for (const line of b.lines) doc.text(`${line}  ______________________`, { align: 'right' }).moveDown(0.8);
    } else {
      doc.moveDown(0.8);
      if (doc.y + 130 > doc.page.height - MARGIN) doc.addPage();
      doc.image(b.png, MARGIN, doc.y, { width: 110, height: 110 });
      doc.y += 114;
      doc.font('regular').fontSize(8).text(b.caption, MARGIN, doc.y, { width });
    }
  }
  doc.end();
  return done;
}

const ALIGN = {
  left: AlignmentType.LEFT,
  center: AlignmentType.CENTER,
  right: AlignmentType.RIGHT,
  justify: AlignmentType.JUSTIFIED,
} as const;
const FONT = 'Times New Roman';
/** A text's runs: a line break of the template («\n», as in an addressee's lines) is a break in Word too. */
const run = (text: string, opts: { bold?: boolean; size?: number } = {}) =>
  text
    .split('\n')
    .map(
      (line, i) =>
        new TextRun({ text: line, break: i ? 1 : undefined, font: FONT, bold: opts.bold, size: (opts.size ?? 12) * 2 }),
    );
const NO_BORDER = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = { top: NO_BORDER, bottom: NO_BORDER, left: NO_BORDER, right: NO_BORDER };

export async function renderTemplateDocx(src: DocumentSource): Promise<Buffer> {
  const meta = provenance(src);
  const children: (Paragraph | Table)[] = [];
  for (const b of await filled(src)) {
    if (b.type === 'heading')
      children.push(
        new Paragraph({
          alignment: AlignmentType.CENTER,
          spacing: { before: 240, after: 120 },
          children: run(b.text, { bold: true, size: 14 }),
        }),
      );
    else if (b.type === 'paragraph')
      children.push(new Paragraph({ alignment: ALIGN[b.align], spacing: { after: 120 }, children: run(b.text) }));
    else if (b.type === 'fields')
      children.push(
        new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          rows: b.rows.map(
            (r) =>
              new TableRow({
                children: [
                  new TableCell({
                    width: { size: 40, type: WidthType.PERCENTAGE },
                    children: [new Paragraph({ children: run(r.label, { bold: true, size: 11 }) })],
                  }),
                  new TableCell({
                    width: { size: 60, type: WidthType.PERCENTAGE },
                    children: [new Paragraph({ children: run(r.value, { size: 11 }) })],
                  }),
                ],
              }),
          ),
        }),
      );
    else if (b.type === 'signatures')
      for (const line of b.lines)
        children.push(
          new Paragraph({
            alignment: AlignmentType.RIGHT,
            spacing: { before: 240 },
            children: run(`${line}  ______________________`),
          }),
        );
    else
      children.push(
        new Table({
          borders: { ...NO_BORDERS, insideHorizontal: NO_BORDER, insideVertical: NO_BORDER },
          rows: [
            new TableRow({
              children: [
                new TableCell({
                  borders: NO_BORDERS,
                  children: [
                    new Paragraph({
                      children: [
                        new ImageRun({ type: 'png', data: b.png, transformation: { width: 110, height: 110 } }),
                      ],
                    }),
                    new Paragraph({ children: run(b.caption, { size: 8 }) }),
                  ],
                }),
              ],
            }),
          ],
        }),
      );
  }
  const doc = new Document({
    creator: 'Реестр Профсоюза образования',
    title: src.body.title,
    subject: meta.subject,
    keywords: meta.keywords,
    sections: [
      {
        footers: {
          default: new Footer({ children: [new Paragraph({ children: run(meta.footer, { size: 7 }) })] }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
