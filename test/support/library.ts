// Documents for the library's tests, made in the test (no binary fixtures): a PDF with pdfkit and DejaVu Sans
// (Cyrillic text pdf.js reads back), a minimal DOCX and ODT zipped with JSZip, and a document row with its file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import JSZip from 'jszip';
import type { Knex } from 'knex';
import PDFDocument from 'pdfkit';
import type { OrgRow } from '../../src/registry/orgs.repo';

const require = createRequire(import.meta.url);
const FONT = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf');

export async function pdfBytes(paragraphs: string[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', compress: true });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.registerFont('regular', FONT).font('regular').fontSize(11);
  for (const p of paragraphs) doc.text(p).moveDown();
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export async function docxBytes(paragraphs: string[]): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(p)}</w:t></w:r></w:p>`).join('');
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export async function odtBytes(paragraphs: string[]): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('mimetype', 'application/vnd.oasis.opendocument.text', { compression: 'STORE' });
  const body = paragraphs.map((p) => `<text:p>${escapeXml(p)}</text:p>`).join('');
  zip.file(
    'content.xml',
    `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>${body}</office:text></office:body></office:document-content>`,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/**
 * A document row with one version whose file (a tiny PDF signature) lies in the library folder: for the route
 * fixtures, which need a document inside and outside a subtree, not its text.
 */
export async function createLibraryDocument(
  db: Knex,
  libraryDir: string,
  options: { issuer: OrgRow; visibleTo?: OrgRow; title?: string; text?: string },
): Promise<{ id: number }> {
  const bytes = Buffer.from(`%PDF-1.4\n% ${options.title ?? 'Документ'}\n%%EOF\n`);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.mkdirSync(libraryDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(libraryDir, sha256), bytes, { mode: 0o600 });
  const [doc] = await db('library_documents')
    .insert({
      title: options.title ?? 'Положение о первичной профсоюзной организации',
      category: 'normative',
      issuing_organization_id: options.issuer.id,
      visibility: options.visibleTo ? 'subtree' : 'union',
      visible_organization_id: options.visibleTo?.id ?? null,
      body_text: options.text ?? '',
      text_state: 'done',
    })
    .returning('id');
  await db('library_versions').insert({
    document_id: doc.id,
    version_no: 1,
    file_name: 'Положение.pdf',
    kind: 'pdf',
    size_bytes: bytes.length,
    sha256,
  });
  return { id: doc.id as number };
}
