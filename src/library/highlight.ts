import { HIT_END, HIT_START } from './library.schemas';

export interface Segment {
  text: string;
  hit: boolean;
}

/**
 * A ts_headline snippet as plain segments, hits marked: the view escapes every segment's text and wraps the
 * hits in <mark>, so no character of a document's text is ever emitted as markup. The markers are control
 * characters that extraction removes from the text, so the text cannot forge one.
 */
export function highlightSegments(snippet: string | null): Segment[] {
  if (!snippet) return [];
  const segments: Segment[] = [];
  for (const [i, part] of snippet.split(HIT_START).entries()) {
    if (i === 0) {
      if (part) segments.push({ text: part.replaceAll(HIT_END, ''), hit: false });
      continue;
    }
    const end = part.indexOf(HIT_END);
    const hit = end < 0 ? part : part.slice(0, end);
    const rest = end < 0 ? '' : part.slice(end + 1).replaceAll(HIT_END, '');
    if (hit) segments.push({ text: hit, hit: true });
    if (rest) segments.push({ text: rest, hit: false });
  }
  return segments;
}
