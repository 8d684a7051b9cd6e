/** The `--help` text: the CLI's one place for user-visible usage strings. */
export const helpText = `mcp-secure: authenticated, least-privileged connections to MCP servers, from a terminal.

Usage:
  mcp-secure login <url>                      sign in (OAuth 2.1 + PKCE) to the server at <url>
  mcp-secure tools <url>                      list the server's tools
  mcp-secure call <url> <tool> --args '<json>' call a tool with a JSON object of arguments
  mcp-secure whoami <url>                     the grant: subject, granted scopes, expiry (never tokens)
  mcp-secure logout <url>                     revoke the grant at the server and forget it
  mcp-secure check <url>                      security report: every check a sign-in makes (metadata, issuer,
                                              PKCE, iss, registration, DPoP, revocation; with --store, the
                                              grant's audience, scopes and refresh policy), pass/warn/fail
  mcp-secure tools --stdio [opts] -- <command> [args...]
  mcp-secure call <tool> --args '<json>' --stdio [opts] -- <command> [args...]
                                              the same for a stdio server, with a fresh shared secret
  mcp-secure conformance <url>                act as the official conformance suite's client
                                              (reads MCP_CONFORMANCE_SCENARIO / MCP_CONFORMANCE_CONTEXT)

Options:
  --json                  machine-readable output on stdout (errors as {"error":{code,message,exitCode}})
  --verbose, -v           log protocol steps to stderr (secrets are redacted)
  --store memory          keep tokens in memory only: nothing is written (default)
  --store file:<path>     keep tokens in an AES-256-GCM encrypted file; the key comes from
                          $MCP_SECURE_STORE_KEY or --store-key-file <path>: a passphrase of 16+
                          characters, or 32 random bytes as hex:<64 hex> or base64:<base64>.
                          Plaintext is refused.
  --open-with <command>   hand the authorization URL to <command> (split on spaces, run without a shell,
                          the URL as its own argument), e.g. --open-with xdg-open. Default: $BROWSER,
                          else print it. Without a terminal or an opener, tools/call do not start a
                          browser sign-in: they fail at once (run "mcp-secure login <url>" first).
  --pkce assume-s256      sign in although the authorization server does not advertise PKCE (risk: an
                          intercepted code could be redeemed if it ignores PKCE). Default: require
  --resource-parameter <resource|audience|omit>  how the RFC 8707 resource is sent (default resource)
  --grant <kind>          authorization_code (default), client_credentials (needs --client-id and
                          --client-secret-env) or jwt_bearer (needs --assertion-env)
  --assertion-env <VAR>   read the JWT bearer assertion from environment variable VAR (never from argv)
  --forget-client         logout: also forget the dynamically registered client (the next sign-in
                          registers a new one)
  --client-id <id>        a pre-registered OAuth client id (once signed in, later commands reuse the
                          grant's own client without it)
  --client-secret-env <VAR>  read that client's secret from environment variable VAR (never from argv)
  --client-metadata-url <https-url>  this client's Client ID Metadata Document, used as client_id
                          where the authorization server supports it
  --dpop <off|on|auto>    DPoP-bound tokens (RFC 9449): off (default: Bearer, which every resource
                          server accepts), on (required), auto (whenever the authorization server
                          advertises DPoP; the conformance mode uses auto)
  --task                  call: run a tool whose task support is "optional" as a task (MCP tasks). A tool
                          that requires a task always runs as one: its status goes to stderr, the result
                          is printed like any other; Ctrl+C cancels the task on the server (tasks/cancel)
  --allow-step-up         consent in advance to request wider scopes when the server answers
                          403 insufficient_scope (otherwise the call fails with exit code 2)
  --scope <scope>         scope to request (repeatable); default: what the server's challenge or
                          metadata names
  --protocol <version>    auto, 2025-11-25 or 2026-07-28. HTTP default auto; stdio default 2025-11-25
                          (the initialize handshake). On 2026-07-28 a stdio secret travels in every
                          request's _meta "io.mcp-secure/secret"; no wire in common: exit 3
                          [protocol_mismatch]
  --timeout <ms>          overall deadline (default 120000); expiry says "Timed out after N s" (exit 2
                          while a sign-in is pending, else 3)
  --secret-mode <mode>    stdio: how the shared secret reaches the server: env, handshake (in the protocol:
                          clientInfo.secret, or _meta on 2026-07-28), both (default), none
  --secret-env <NAME>     stdio: environment variable for the shared secret (default MCP_SHARED_SECRET)
  --env NAME=VALUE        stdio: environment for the server (repeatable; not for secrets). A server that
                          checks no shared secret takes --secret-mode none
  --help, -h              this text
  --version               the version

Exit codes:
  0  success
  1  usage error (unknown command or option, missing argument, --args not a JSON object)
  2  authorization refused or unsafe input refused, or a failed security check (check) (insecure URL, metadata/issuer/resource mismatch,
     state or iss mismatch, sign-in denied or timed out, step-up refused, store key missing or wrong)
  3  connection or protocol error (cannot connect, server exited, timeout, malformed answer)
  4  tool error (the tool reported isError, the server refused the call with a JSON-RPC error,
     or no such tool)
`;
