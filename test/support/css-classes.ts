/** Class names a stylesheet's selectors define (declaration blocks and url()s dropped first: `.w3.org` is no class). */
export function classesInCss(css: string): Set<string> {
  let selectors = css.replace(/\/\*[\s\S]*?\*\//g, '').replace(/url\([^)]*\)/g, '');
  selectors = selectors.replace(/\{[^{}]*\}/g, '{}');
  return new Set([...selectors.matchAll(/\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)/g)].map((m) => m[1]!));
}

/** Class names used by the elements of a page. */
export function classesInHtml(html: string): Set<string> {
  const found = new Set<string>();
  for (const [, list] of html.matchAll(/\sclass="([^"]*)"/g))
    for (const name of list!.split(/\s+/)) if (name) found.add(name);
  return found;
}
