import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { registerCyrillicFonts } from '../../shared/pdf-fonts';
import type { ReportResult } from '../report-builder';
import { SIGN_OFF, cellText, headerLines, noteBlocks } from './report-text';
import { formTable, layoutTable, type TableLayout } from './table-layout';

// The form as an A4 PDF with an embedded Cyrillic font (DejaVu Sans from the dejavu-fonts-ttf package),
// portrait or landscape as its table needs (./table-layout).

const MARGIN = 40;
const FONT_SIZE = 8;
const PADDING = 3;
// A4 in points, less the margins: the widths a table may take on a portrait and a landscape page
const PAGE = { portrait: 595.28 - 2 * MARGIN, landscape: 841.89 - 2 * MARGIN };

type Doc = InstanceType<typeof PDFDocument>;
type Align = 'left' | 'right' | 'center';

/** A form's table: the layout taken from its content (widths, orientation, scale), and how to write it. */
interface Table {
  layout: TableLayout;
  write(grid: Grid): void;
}

export function renderReportPdf(r: ReportResult, out: Writable): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: `${r.form.name} ${r.organization.inpo} ${r.date}`, Author: 'Реестр Профсоюза образования' },
  });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  doc.pipe(out);
  registerCyrillicFonts(doc);
  const table = r.form.kind === 'list' ? listTable(doc, r) : linesTable(doc, r);
  const page = { size: 'A4', margin: MARGIN, layout: table.layout.landscape ? 'landscape' : 'portrait' } as const;
  doc.addPage(page);
  doc.font('regular').fontSize(8).text(`Форма ${r.form.name}`, { align: 'right' });
  doc.font('bold').fontSize(12).text(r.form.title);
  doc.moveDown(0.3).font('regular').fontSize(9);
  for (const line of headerLines(r)) doc.text(line);
  doc.moveDown(0.5);
  table.write(grid(doc, table.layout, () => doc.addPage(page)));
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

interface Grid {
  widths: number[];
  /** The width of columns from..to together. */
  span(from: number, to?: number): number;
  row(cells: { text: string; width: number; align?: Align }[], bold?: boolean): void;
}

function grid(doc: Doc, layout: TableLayout, addPage: () => void): Grid {
  const size = FONT_SIZE * layout.scale;
  const pad = PADDING * layout.scale;
  const widths = layout.widths.map((w) => w * layout.scale);
  return {
    widths,
    span: (from, to = widths.length - 1) => widths.slice(from, to + 1).reduce((s, w) => s + w, 0),
    row(cells, bold = false) {
      doc.font(bold ? 'bold' : 'regular').fontSize(size);
      const heights = cells.map((c) => doc.heightOfString(c.text || ' ', { width: c.width - 2 * pad }));
      const height = Math.max(...heights) + 2 * pad;
      if (doc.y + height > doc.page.height - MARGIN) addPage();
      const y = doc.y;
      let x = MARGIN;
      for (const c of cells) {
        doc.rect(x, y, c.width, height).lineWidth(0.5).stroke();
        doc.text(c.text, x + pad, y + pad, { width: c.width - 2 * pad, align: c.align ?? 'left' });
        x += c.width;
      }
      doc.x = MARGIN;
      doc.y = y + height;
    },
  };
}

/** Text widths in the table's font, measured once per distinct text (a КДКО of the union has 75,000 rows). */
function metrics(doc: Doc) {
  const measured = new Map<string, number>();
  const measure = (font: 'regular' | 'bold') => (text: string) => {
    const key = `${font}\u0000${text}`;
    let width = measured.get(key);
    if (width === undefined) measured.set(key, (width = doc.font(font).fontSize(FONT_SIZE).widthOfString(text)));
    return width;
  };
  // a little slack: pdfkit's line wrapper sums the words' widths, which may round above the measured whole
  return { body: measure('regular'), head: measure('bold'), padding: 2 * PADDING + 1, comfort: 110 };
}

function linesTable(doc: Doc, r: ReportResult): Table {
  const { columns, spans } = formTable(r, '№');
  const layout = layoutTable(columns, metrics(doc), PAGE, spans);
  return {
    layout,
    write(g) {
      const [noWidth = 0, labelWidth = 0] = g.widths;
      g.row(
        columns.map((c, i) => ({ text: c.header, width: g.widths[i]!, align: i === 1 ? 'left' : 'center' })),
        true,
      );
      for (const section of r.sections) {
        g.row([{ text: section.title, width: g.span(0) }], true);
        for (const line of section.lines) {
          const lead = [
            { text: line.no, width: noWidth, align: 'center' as const },
            { text: line.label, width: labelWidth },
          ];
          if (line.type === 'text') g.row([...lead, { text: line.text ?? '', width: g.span(2) }]);
          else
            g.row([
              ...lead,
              ...r.columns.map((c, i) => ({
                text: cellText(line, c.key),
                width: g.widths[2 + i]!,
                align: 'right' as const,
              })),
            ]);
        }
      }
    },
  };
}

function listTable(doc: Doc, r: ReportResult): Table {
  const { columns } = formTable(r, '№');
  const layout = layoutTable(columns, metrics(doc), PAGE);
  // numbers to the right, as on the line forms
  const align = columns.map((c): Align =>
    c.cells.some(Boolean) && c.cells.every((t) => /^\d*$/.test(t)) ? 'right' : 'left',
  );
  const count = columns[0]?.cells.length ?? 0;
  return {
    layout,
    write(g) {
      g.row(
        columns.map((c, i) => ({ text: c.header, width: g.widths[i]! })),
        true,
      );
      for (let j = 0; j < count; j++)
        g.row(columns.map((c, i) => ({ text: c.cells[j]!, width: g.widths[i]!, align: align[i] })));
    },
  };
}
