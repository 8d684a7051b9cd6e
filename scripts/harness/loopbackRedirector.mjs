// code-server rewrites every localhost URL an extension opens (`env.openExternal`, `env.asExternalUri`) to
// `<proxy template with the port>/<path>?<query>` — by default its own /proxy/<port>/ route, meant for
// browsers on another machine. Through that route the demo authorization server receives a mangled
// authorization request and refuses it (`invalid_target`). When the browser runs on this machine (the
// demo, the UI walk-through) no proxy is needed: code-server reads the template from VSCODE_PROXY_URI,
// and a template must parse as a URL (so `http://127.0.0.1:{{port}}/` is refused). This tiny server is
// that template's target: GET /<port>/<rest> answers 302 to http://127.0.0.1:<port>/<rest>, with the
// query passed through byte for byte — what desktop VS Code's openExternal amounts to.
import http from 'node:http';
import { once } from 'node:events';

/** Starts the redirector; returns the VSCODE_PROXY_URI template that targets it and `close()`. */
export async function startLoopbackRedirector() {
  const server = http.createServer((req, res) => {
    const m = /^\/(\d{1,5})(\/[^?]*)?(\?.*)?$/.exec(req.url ?? '');
    const port = m ? Number(m[1]) : 0;
    if (!m || port < 1 || port > 65535 || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not a loopback redirect');
      return;
    }
    res
      .writeHead(302, { location: `http://127.0.0.1:${port}${m[2] ?? '/'}${m[3] ?? ''}`, 'cache-control': 'no-store' })
      .end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    proxyUri: `http://127.0.0.1:${port}/{{port}}/`,
    close: () => /** @type {Promise<void>} */ (new Promise((resolve) => server.close(() => resolve()))),
  };
}
