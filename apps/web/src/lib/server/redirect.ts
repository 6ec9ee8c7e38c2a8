// The one rule for every redirect whose target comes from a request (the path of a language
// switch, a ?next=): only a path on this site. Browsers read `//host` and `/\host` as another
// site, and URL parsing turns `/.//host` into `//host`, so the check is made on the parsed
// result as well as on what was given.

const BASE = 'http://renraku.invalid';

/** `target` as a same-site path (path, query, fragment), or `fallback` when it is not one. */
export function sameSitePath(target: string | null | undefined, fallback: string): string {
  // eslint-disable-next-line no-control-regex -- control characters in a Location are refused
  if (!target || !target.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(target)) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== BASE || !path.startsWith('/') || /^\/[/\\]/.test(path)) return fallback;
  return path;
}
