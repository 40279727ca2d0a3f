import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';

export type XmlEvent =
  | { kind: 'open'; name: string; attributes: Record<string, string> }
  | { kind: 'text'; text: string }
  | { kind: 'close'; name: string };

// Names without their namespace prefix: some writers spell the sheet as <x:row>, <x:c>.
const localName = (name: string) => name.slice(name.indexOf(':') + 1);

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
  parser.on('opentag', (tag) => events.push({ kind: 'open', name: localName(tag.name), attributes: tag.attributes as Record<string, string> }));
  parser.on('text', (text) => events.push({ kind: 'text', text }));
  parser.on('closetag', (tag) => events.push({ kind: 'close', name: localName(tag.name) }));
  parser.on('error', (err) => {
    error ??= err;
  });
  const take = () => {
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
