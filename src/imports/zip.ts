import yauzl from 'yauzl';

export interface OpenZip {
  zip: yauzl.ZipFile;
  /** The entries by name, to be read in any order: a file on disk is read at random, never unpacked whole. */
  entries: Map<string, yauzl.Entry>;
}

/**
 * Reads a zip file's central directory, entry by entry; `check` sees each entry (with the count so far)
 * and may throw to refuse the file before the next one is read. Close `zip` when done.
 */
export async function openZip(path: string, check: (entry: yauzl.Entry, count: number) => void = () => undefined): Promise<OpenZip> {
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
  return { zip, entries };
}
