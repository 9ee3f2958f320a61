// Where the page lives. Its base path is everything of the address up to and including "/ui/": "/ui/" locally and
// through CloudFront, "/v1/ui/" on the REST API variant (whose stage, v1, is the first segment of every URL). The
// page's own links and routes keep that base; API calls stay absolute ("/v1/peerings") on the same origin.

/**
 * The base path of a page address: "/v1/ui/dc1/peers" -> "/v1/ui/", "/ui/" -> "/ui/", "/v1/ui" -> "/v1/ui/" (API
 * Gateway REST APIs ignore a trailing slash). The first "/ui/" wins, so a datacenter or peer named "ui" changes
 * nothing. An address without "/ui" (not served by anything of ours) falls back to "/ui/".
 */
export function basePathOf(pathname) {
  const at = pathname.indexOf('/ui/');
  if (at >= 0) {
    return pathname.slice(0, at + '/ui/'.length);
  }
  return pathname.endsWith('/ui') ? `${pathname}/` : '/ui/';
}

/** This page's base path, from the address it was loaded at. */
export const BASE = basePathOf(window.location.pathname);

/** A path of the page: pagePath('dc1/peers') is "/ui/dc1/peers" locally, "/v1/ui/dc1/peers" on the REST API. */
export function pagePath(route = '') {
  return BASE + route;
}

/**
 * The route part of a path of the page, after the base ("dc1/peers"; "" for the base itself, with or without its
 * trailing slash), or null when the path is not under the base.
 */
export function routeOf(pathname) {
  if (pathname.startsWith(BASE)) {
    return pathname.slice(BASE.length);
  }
  return `${pathname}/` === BASE ? '' : null;
}
