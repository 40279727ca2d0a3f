import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';

// The Cyrillic font every PDF of the app embeds: DejaVu Sans from the dejavu-fonts-ttf package, so that a
// reader needs no fonts of its own. A document registers it as 'regular' and 'bold'.

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export function registerCyrillicFonts(doc: InstanceType<typeof PDFDocument>): void {
  doc.registerFont('regular', path.join(FONT_DIR, 'DejaVuSans.ttf'));
  doc.registerFont('bold', path.join(FONT_DIR, 'DejaVuSans-Bold.ttf'));
}

/**
 * An A4 document with the fonts registered, and its bytes once `doc.end()` is called: the small PDFs
 * answered whole (a member's own data, a document from a template).
 */
export function bufferedPdf(options: PDFKit.PDFDocumentOptions) {
  const doc = new PDFDocument({ size: 'A4', ...options });
  registerCyrillicFonts(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}
