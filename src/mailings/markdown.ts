import MarkdownIt from 'markdown-it';

/** Links a letter may carry: web pages and addresses, never javascript:, data: or file: URLs. */
const SAFE_LINK = /^(https?:|mailto:)/i;

/**
 * The letters' Markdown subset: paragraphs, emphasis, lists, headings, quotes and links; raw HTML is shown
 * as text (html: false), bare addresses become links, and images are off (a mass letter loads nothing
 * from elsewhere when it is opened).
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.disable(['image']);
md.validateLink = (url: string) => SAFE_LINK.test(url.trim());

/** The letter's HTML part (escaped: safe to put in a page as it is). */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
