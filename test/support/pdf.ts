// Text of a PDF as a reader would copy it, page by page, with pdf.js (the parser browsers use).
export async function pdfText(body: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(body), useSystemFonts: false, isEvalSupported: false })
    .promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join('\n'));
  }
  await doc.destroy();
  return pages.join('\n');
}

/** Whether the PDF embeds its fonts (a Cyrillic text must not depend on the reader's fonts). */
export function embeddedFontNames(body: Buffer): string[] {
  return [...body.toString('latin1').matchAll(/\/BaseFont\s*\/([A-Z]{6}\+[\w-]+)/g)].map((m) => m[1]!);
}

/** Each page's size in points and its text items (one per laid-out line of a cell), as pdf.js reads them. */
export async function pdfPages(body: Buffer): Promise<{ width: number; height: number; items: string[] }[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(body), useSystemFonts: false, isEvalSupported: false })
    .promise;
  const pages: { width: number; height: number; items: string[] }[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const { width, height } = page.getViewport({ scale: 1 });
    const content = await page.getTextContent();
    pages.push({
      width,
      height,
      items: content.items.map((item) => ('str' in item ? item.str : '')).filter((s) => s.trim()),
    });
  }
  await doc.destroy();
  return pages;
}

/** The PDF's document information (Title, Subject, Keywords, …) as a reader shows it. */
export async function pdfInfo(body: Buffer): Promise<Record<string, unknown>> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(body), useSystemFonts: false, isEvalSupported: false })
    .promise;
  const { info } = await doc.getMetadata();
  await doc.destroy();
  return info as Record<string, unknown>;
}
