// An organization's path is the ltree of its ancestors' ids, root first ('1.35665.35702'): tree
// questions about organizations already read are answered from it without a query.

/** `1.5.23` is inside `1.5` (and `1.5` inside itself). */
export function pathWithin(path: string, ancestorPath: string): boolean {
  return path === ancestorPath || path.startsWith(`${ancestorPath}.`);
}

/** The regional organization a path lies in ('1.35665.…' → 35665). */
export const regionIdOf = (path: string) => Number(path.split('.')[1]);
