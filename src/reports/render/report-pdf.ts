import { createRequire } from 'node:module';
import path from 'node:path';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type { ReportResult } from '../report-builder';
import { LIST_FIELD, SIGN_OFF, cellText, headerLines, listCell, noteBlocks } from './report-text';

// The form as an A4 PDF with an embedded Cyrillic font (DejaVu Sans from the dejavu-fonts-ttf package).

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT = path.join(FONT_DIR, 'DejaVuSans.ttf');
const FONT_BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

const MARGIN = 40;

export function renderReportPdf(r: ReportResult, out: Writable): Promise<void> {
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `${r.form.name} ${r.organization.inpo} ${r.date}`, Author: 'Реестр Профсоюза образования' } });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  doc.pipe(out);
  doc.registerFont('regular', FONT);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('regular').fontSize(8).text(`Форма ${r.form.name}`, { align: 'right' });
  doc.font('bold').fontSize(12).text(r.form.title);
  doc.moveDown(0.3).font('regular').fontSize(9);
  for (const line of headerLines(r)) doc.text(line);
  doc.moveDown(0.5);
  if (r.form.kind === 'list') writeList(doc, r);
  else writeLines(doc, r);
  for (const block of noteBlocks(r)) {
    doc.moveDown(0.8).font('bold').fontSize(9).text(block.title);
    doc.font('regular').fontSize(8);
    for (const item of block.items) doc.text(`• ${item}`);
  }
  doc.moveDown(1.5).font('regular').fontSize(9);
  for (const line of SIGN_OFF) doc.text(line).moveDown(0.6);
  doc.end();
  return done;
}

type Doc = InstanceType<typeof PDFDocument>;

function row(doc: Doc, cells: { text: string; width: number; align?: 'left' | 'right' | 'center' }[], bold = false) {
  doc.font(bold ? 'bold' : 'regular').fontSize(8);
  const heights = cells.map((c) => doc.heightOfString(c.text || ' ', { width: c.width - 6 }));
  const height = Math.max(...heights) + 6;
  if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
  const y = doc.y;
  let x = MARGIN;
  for (const c of cells) {
    doc.rect(x, y, c.width, height).lineWidth(0.5).stroke();
    doc.text(c.text, x + 3, y + 3, { width: c.width - 6, align: c.align ?? 'left' });
    x += c.width;
  }
  doc.x = MARGIN;
  doc.y = y + height;
}

function writeLines(doc: Doc, r: ReportResult) {
  const usable = doc.page.width - 2 * MARGIN;
  const valueWidth = 58;
  const labelWidth = usable - 36 - valueWidth * r.columns.length;
  row(doc, [{ text: '№', width: 36, align: 'center' }, { text: 'Показатель', width: labelWidth }, ...r.columns.map((c) => ({ text: c.label, width: valueWidth, align: 'center' as const }))], true);
  for (const section of r.sections) {
    row(doc, [{ text: section.title, width: usable }], true);
    for (const line of section.lines) {
      if (line.type === 'text') {
        row(doc, [{ text: line.no, width: 36, align: 'center' }, { text: line.label, width: labelWidth }, { text: line.text ?? '', width: valueWidth * r.columns.length }]);
      } else {
        row(doc, [{ text: line.no, width: 36, align: 'center' }, { text: line.label, width: labelWidth }, ...r.columns.map((c) => ({ text: cellText(line, c.key), width: valueWidth, align: 'right' as const }))]);
      }
    }
  }
}

function writeList(doc: Doc, r: ReportResult) {
  const columns = r.listColumns ?? [];
  const usable = doc.page.width - 2 * MARGIN;
  const nameWidth = 130;
  const other = (usable - nameWidth) / Math.max(1, columns.length - 1);
  const widthOf = (key: string) => (key === 'name' ? nameWidth : other);
  row(doc, columns.map((c) => ({ text: c.label, width: widthOf(c.key) })), true);
  for (const item of r.rows ?? []) {
    row(doc, columns.map((c) => ({ text: String(listCell(item as unknown as Record<string, unknown>, LIST_FIELD[c.key] ?? c.key)), width: widthOf(c.key) })));
  }
}
