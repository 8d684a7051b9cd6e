/**
 * The href handed to the editor. In a remote/web window the workbench rewrites every
 * `http://127.0.0.1:<port>` it opens to its own port proxy (`/proxy/<port>/`), which moves a loopback
 * authorization server (local development, the demo) to another origin and breaks its login. The
 * same address written in its single-number IPv4 form is not recognised by that rewrite, and the
 * browser normalises it back to 127.0.0.1 before connecting, so the page loads exactly as the
 * authorization server served it. Non-loopback (real) authorization servers are never touched.
 */
export function browserHref(url: URL, remoteWindow: boolean): string {
  if (!remoteWindow || url.protocol !== 'http:' || url.hostname !== '127.0.0.1') return url.toString();
  return url.toString().replace(/^http:\/\/127\.0\.0\.1(?=[:/])/, 'http://2130706433');
}
