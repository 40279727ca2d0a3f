import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';

export type XmlEvent =
  | { kind: 'open'; name: string; attributes: Record<string, string> }
  | { kind: 'text'; text: string }
  | { kind: 'close'; name: string };

// Names without their namespace prefix: some writers spell the sheet as <x:row>, <x:c>.
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
 * The SAX events of an XML stream, a chunk's worth at a time. The bytes are decoded as UTF-8 across
 * chunk boundaries: exceljs's reader decoded each inflated chunk apart and broke the Cyrillic letter
 * that straddled one (a 100,000-row sheet's shared strings read «Зиянзиов��»).
 */
export async function* xmlEvents(stream: Readable): AsyncGenerator<XmlEvent[]> {
  const parser = new SaxesParser();
  const decoder = new StringDecoder('utf8');
  let events: XmlEvent[] = [];
  let error: Error | undefined;
  let lastEventAt = 0;
  let depth = 0;
  const push = (event: XmlEvent) => {
    events.push(event);
    lastEventAt = parser.position;
  };
  parser.on('opentag', (tag) => {
    if (++depth > MAX_DEPTH) error ??= new XmlTooLargeError(`XML nested deeper than ${MAX_DEPTH}`);
    push({ kind: 'open', name: localName(tag.name), attributes: tag.attributes as Record<string, string> });
  });
  parser.on('text', (text) => push({ kind: 'text', text }));
  parser.on('closetag', (tag) => {
    depth--;
    push({ kind: 'close', name: localName(tag.name) });
  });
  parser.on('error', (err) => {
    error ??= err;
  });
  const take = () => {
    if (parser.position - lastEventAt > MAX_PENDING_CHARS)
      error ??= new XmlTooLargeError(`over ${MAX_PENDING_CHARS} characters without an event`);
    if (error) throw error;
    const taken = events;
    events = [];
    return taken;
  };
  try {
    for await (const chunk of stream) {
      parser.write(decoder.write(chunk as Buffer));
      yield take();
    }
    parser.write(decoder.end()).close();
    yield take();
  } finally {
    stream.destroy();
  }
}
