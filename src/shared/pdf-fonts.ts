import { createRequire } from 'node:module';
import path from 'node:path';
import type PDFDocument from 'pdfkit';

// The Cyrillic font every PDF of the app embeds: DejaVu Sans from the dejavu-fonts-ttf package, so that a
// reader needs no fonts of its own. A document registers it as 'regular' and 'bold'.

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export function registerCyrillicFonts(doc: InstanceType<typeof PDFDocument>): void {
  doc.registerFont('regular', path.join(FONT_DIR, 'DejaVuSans.ttf'));
  doc.registerFont('bold', path.join(FONT_DIR, 'DejaVuSans-Bold.ttf'));
}
