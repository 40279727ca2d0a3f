import { Transform, pipeline, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ValidationError } from '../http/errors';

// An .xlsx is a zip of a few dozen XML parts; a 100,000-row member sheet unpacks to ~100 MB of XML.
// These bounds leave room for that and stop zip bombs (thousands of entries, gigabytes unpacked).
export const MAX_ENTRIES = 2000;
export const MAX_ENTRY_BYTES = 200 * 1024 * 1024;
export const MAX_UNPACKED_BYTES = 300 * 1024 * 1024;

export const tooBigError = () =>
  new ValidationError([{ field: 'file', message: 'Файл отклонён: содержимое архива подозрительно велико' }]);

export interface OpenZip {
  zip: yauzl.ZipFile;
  /** The entries by name, to be read in any order: a file on disk is read at random, never unpacked whole. */
  entries: Map<string, yauzl.Entry>;
  /**
   * An entry's inflated bytes, counted as they come: over `maxBytes` for the entry or over the upload's
   * total, the stream fails with a Russian message. The central directory's sizes are checked before, but
   * they are the file's own claims; this count is what is actually unpacked.
   */
  open: (entry: yauzl.Entry, maxBytes?: number) => Promise<Readable>;
}

/**
 * Reads a zip file's central directory, entry by entry; `check` sees each entry (with the count so far)
 * and may throw to refuse the file before the next one is read. Close `zip` when done.
 */
export async function openZip(
  path: string,
  check: (entry: yauzl.Entry, count: number) => void = () => undefined,
): Promise<OpenZip> {
  const zip = await yauzl.openPromise(path, { autoClose: false, validateEntrySizes: true });
  const entries = new Map<string, yauzl.Entry>();
  try {
    for await (const entry of zip.eachEntry()) {
      check(entry, entries.size + 1);
      entries.set(entry.fileName, entry);
    }
  } catch (err) {
    zip.close();
    throw err;
  }
  let unpacked = 0;
  const open = async (entry: yauzl.Entry, maxBytes = MAX_ENTRY_BYTES) => {
    let entryBytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        entryBytes += chunk.length;
        unpacked += chunk.length;
        done(entryBytes > maxBytes || unpacked > MAX_UNPACKED_BYTES ? tooBigError() : null, chunk);
      },
    });
    // an error on either side destroys both: a refused entry stops inflating at once
    return pipeline(await zip.openReadStreamPromise(entry), counted, () => undefined);
  };
  return { zip, entries, open };
}
