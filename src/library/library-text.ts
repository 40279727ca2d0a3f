import ExcelJS from 'exceljs';
import { zipBombCheck } from '../imports/upload';
import { openZip } from '../imports/zip';
import type { FileKind } from './library.schemas';

/**
 * The most text kept of one document for the search: about 150 pages of prose. A tsvector holds at most
 * 1 MB and positions up to 16,383, and the snippet is cut from this text on every search, so a longer
 * document is found by its first 300,000 characters (and its title).
 */
export const MAX_TEXT_CHARS = 300_000;

/** Collects text up to the limit; `full` tells a reader to stop early. */
class TextSink {
  private parts: string[] = [];
  private length = 0;
  get full() {
    return this.length >= MAX_TEXT_CHARS;
  }
  add(text: string) {
    const clean = text.replace(/\s+/g, ' ').trim();
    if (!clean || this.full) return;
    this.parts.push(clean);
    this.length += clean.length + 1;
  }
  toString() {
    return this.parts.join('\n').slice(0, MAX_TEXT_CHARS);
  }
}

async function pdfText(file: string, sink: TextSink) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const fs = await import('node:fs');
  const data = new Uint8Array(await fs.promises.readFile(file));
  // no fonts are rendered and no code of the file is run: the text layer is all that is read
  const doc = await pdfjs.getDocument({
    data,
    useSystemFonts: false,
    isEvalSupported: false,
    disableFontFace: true,
    verbosity: 0,
  }).promise;
  try {
    for (let i = 1; i <= doc.numPages && !sink.full; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      sink.add(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
}

async function docxText(file: string, sink: TextSink) {
  // loaded on the first DOCX, as pdf.js on the first PDF: the server starts without them
  const { default: mammoth } = await import('mammoth');
  const { value } = await mammoth.extractRawText({ path: file });
  sink.add(value);
}

/** Cell by cell through exceljs's streaming reader: a large workbook is never held whole. */
async function xlsxText(file: string, sink: TextSink) {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
  });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const cells: string[] = [];
      row.eachCell((cell) => cells.push(cell.text));
      sink.add(cells.join(' '));
      if (sink.full) return;
    }
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An ODF text's words: its content.xml with paragraphs and breaks as spaces, the markup dropped. */
export function odfXmlText(xml: string): string {
  return xml
    .replace(/<text:(?:tab|line-break|s)\b[^>]*\/>/g, ' ')
    .replace(/<\/text:(?:p|h)>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x?[0-9a-fA-F]+|\w+);/g, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return XML_ENTITIES[name] ?? whole;
    });
}

async function odtText(file: string, sink: TextSink) {
  const opened = await openZip(file, zipBombCheck());
  try {
    const content = opened.entries.get('content.xml');
    if (!content) return;
    const chunks: Buffer[] = [];
    for await (const chunk of await opened.open(content, 64 * 1024 * 1024)) chunks.push(chunk as Buffer);
    sink.add(odfXmlText(Buffer.concat(chunks).toString('utf8')));
  } finally {
    opened.zip.close();
  }
}

const READERS: Record<FileKind, (file: string, sink: TextSink) => Promise<void>> = {
  pdf: pdfText,
  docx: docxText,
  xlsx: xlsxText,
  odt: odtText,
};

/** The document's text for the search (at most MAX_TEXT_CHARS); throws when the file cannot be read. */
export async function extractText(file: string, kind: FileKind): Promise<string> {
  const sink = new TextSink();
  await READERS[kind](file, sink);
  // control characters (NUL is no text PostgreSQL stores; 1 and 2 mark the search's hits) and lone surrogates
  return (
    sink
      .toString()
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
  );
}
