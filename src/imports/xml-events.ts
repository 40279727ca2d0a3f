import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';

/**
 * What a reader does with the XML as the parser meets it. Names come without their namespace prefix: some
 * writers spell the sheet as <x:row>, <x:c>. A handler may throw: the feeding stops with that error.
 */
export interface XmlHandlers {
  open?: (name: string, attributes: Record<string, string>) => void;
  text?: (text: string) => void;
  close?: (name: string) => void;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

// saxes gathers a text, a tag with its attributes, a comment or a CDATA section whole before it reports it:
// a 294 MB text node was a 294 MB string (and its copies: 225 → 753 MB of RSS for one upload). So the input
// read since the last event is bounded: a cell of 32,767 characters, each escaped as `&quot;`, is under 200,000.
const MAX_PENDING_CHARS = 256 * 1024;
// A sheet nests six deep; a stack of millions of open tags would be memory too.
const MAX_DEPTH = 64;

/** The XML holds a text, tag or comment longer than any spreadsheet needs, or nests too deep. */
export class XmlTooLargeError extends Error {}

/**
 * Feeds an XML stream to a SAX parser a chunk at a time, calling `handlers` for each tag and text as it is
 * parsed; yields after each chunk, so that the caller hands on what the chunk gave before the next is read.
 * The bytes are decoded as UTF-8 across chunk boundaries: exceljs's reader decoded each inflated chunk apart
 * and broke the Cyrillic letter that straddled one (a 100,000-row sheet's shared strings read «Зиянзиов��»).
 *
 * Why handlers, not a list of events per chunk: an object per tag, text and end tag, each tag's attributes
 * with it, all alive until the caller had taken the whole chunk's rows (and had staged them, waiting on the
 * database). For the benchmark's 100,000-row sheet the reader allocated 1.98 GB (the CSV reader 0.22 GB), and
 * what lived through two young-generation collections was copied into old space, kept there until a full
 * collection: 48–55 MB reached it, 8–9 MB now (sampling heap profiles; 1.37 GB allocated, most of it saxes's
 * own tag objects, which now die young).
 */
export async function* xmlChunks(stream: Readable, handlers: XmlHandlers): AsyncGenerator<void> {
  const parser = new SaxesParser();
  const decoder = new StringDecoder('utf8');
  let error: unknown;
  let lastEventAt = 0;
  let depth = 0;
  // a handler's error is kept, not thrown into saxes, and the rest of the chunk is not handed on
  const guarded =
    <A extends unknown[]>(handler: ((...args: A) => void) | undefined) =>
    (...args: A) => {
      lastEventAt = parser.position;
      if (error || !handler) return;
      try {
        handler(...args);
      } catch (err) {
        error = err;
      }
    };
  const open = guarded(handlers.open);
  const close = guarded(handlers.close);
  parser.on('opentag', (tag) => {
    if (++depth > MAX_DEPTH) error ??= new XmlTooLargeError(`XML nested deeper than ${MAX_DEPTH}`);
    open(localName(tag.name), tag.attributes as Record<string, string>);
  });
  parser.on('text', guarded(handlers.text));
  parser.on('closetag', (tag) => {
    depth--;
    close(localName(tag.name));
  });
  parser.on('error', (err) => {
    error ??= err;
  });
  const check = () => {
    if (parser.position - lastEventAt > MAX_PENDING_CHARS)
      error ??= new XmlTooLargeError(`over ${MAX_PENDING_CHARS} characters without an event`);
    if (error) throw error;
  };
  try {
    for await (const chunk of stream) {
      parser.write(decoder.write(chunk as Buffer));
      check();
      yield;
    }
    parser.write(decoder.end()).close();
    check();
    yield;
  } finally {
    stream.destroy();
  }
}
