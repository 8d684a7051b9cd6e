import type { BrowserOpener } from '../core/ports';
import type { ElicitationHandler } from '../core/mcp/types';
import { parseCliArgs, type ParsedCommand } from './args';
import { runCommand } from './commands';
import {
  CONFORMANCE_CLIENT_METADATA_URL,
  contextSecrets,
  oauthFromContext,
  readConformanceEnv,
  runConformanceActions,
} from './conformanceDriver';
import { ExitCode } from './exitCodes';
import { withGrantClient } from './cliAuth';
import { helpText } from './help';
import { browserFromEnv, canCompleteSignIn, deadlineSignal, interactionFacts, NoSignInOpener } from './interaction';
import { CommandOpener, HeadlessOpener, PrintOpener } from './openers';
import { Output } from './output';
import { ProgressLine } from './progressLine';
import { Redactor } from '../core/common/redaction';
import { PRODUCT_VERSION } from '../core/mcp/protocolVersions';
import { CliRuntime } from './runtime';
import { definitionFor, oauthOptionsFrom } from './serverDefinitions';
import { StderrLogger } from './stderrLogger';
import { openSecretStore } from './storeFactory';
import { logListenerError, setListenerErrorHandler } from '../core/common/event';

/** The conformance runner kills the client at 30 s; finish (and report) before that. */
const CONFORMANCE_DEADLINE_MS = 25_000;

/** Non-interactive elicitation: accept a form with the defaults its schema proposes (SEP-1034). */
const acceptDefaults: ElicitationHandler = async (request) => ({ action: 'accept', content: { ...request.defaults } });

function openerFor(parsed: ParsedCommand): BrowserOpener {
  if (parsed.command === 'conformance') return new HeadlessOpener();
  const openWith = parsed.options.openWith ?? browserFromEnv();
  if (openWith) return new CommandOpener(openWith);
  if (!canCompleteSignIn(parsed, interactionFacts(parsed)) && parsed.target?.kind === 'http')
    return new NoSignInOpener(parsed.target.url.href);
  return new PrintOpener();
}

async function execute(parsed: ParsedCommand, output: Output, redactor: Redactor): Promise<ExitCode> {
  const { options } = parsed;
  const conformance = parsed.command === 'conformance' ? readConformanceEnv() : undefined;
  const timeoutMs = conformance ? Math.min(options.timeoutMs, CONFORMANCE_DEADLINE_MS) : options.timeoutMs;
  const logger = new StderrLogger(redactor, options.verbose || conformance ? 'debug' : 'warn');
  const secrets = await openSecretStore(options.store, options.storeKeyFile, redactor);
  let oauth = oauthOptionsFrom(options);
  if (conformance) {
    for (const value of contextSecrets(conformance.context)) redactor.registerSecret(value);
    // Conformance mode uses DPoP whenever the authorization server advertises a usable algorithm.
    oauth = { ...oauth, dpop: 'auto', ...oauthFromContext(conformance.context) };
  }
  redactor.registerSecret(oauth.clientSecret);
  redactor.registerSecret(oauth.assertion);
  const definition = definitionFor(parsed.target!, options, conformance?.protocol ?? options.protocol);
  if (!conformance) oauth = await withGrantClient(oauth, secrets, definition);
  // Ctrl-C cancels cleanly: the loopback listener closes and stdio servers are stopped (a cancelled
  // sign-in exits 2, authorization_cancelled; other cancelled work exits 3).
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  const deadline = AbortSignal.any([deadlineSignal(timeoutMs), interrupt.signal]);
  const runtime = new CliRuntime({
    logger,
    redactor,
    secrets,
    opener: openerFor(parsed),
    requestTimeoutMs: timeoutMs,
    signal: deadline,
    elicitation: conformance ? acceptDefaults : undefined,
    clientMetadataUrl: conformance ? CONFORMANCE_CLIENT_METADATA_URL : options.clientMetadataUrl,
    oauth,
    allowStepUp: conformance !== undefined || options.allowStepUp,
  });
  const listenerErrors = setListenerErrorHandler(logListenerError(logger));
  try {
    if (conformance) {
      const connection = await runtime.manager.connect(definition, { signal: deadline });
      await runConformanceActions(connection, conformance, logger.child('conformance'), deadline);
      return ExitCode.ok;
    }
    const progress = new ProgressLine({
      isTTY: process.stderr.isTTY === true,
      columns: process.stderr.columns,
      write: (text) => process.stderr.write(text),
      redactor,
    });
    return await runCommand({ parsed, definition, runtime, output, signal: deadline, progress });
  } finally {
    process.removeListener('SIGINT', onSigint);
    await runtime.dispose().catch(() => undefined);
    listenerErrors.dispose();
  }
}

/** The CLI entry point; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  const redactor = new Redactor();
  const json = argv.includes('--json');
  const output = new Output(json, redactor);
  try {
    const parsed = parseCliArgs(argv);
    if (parsed.command === 'help') {
      process.stdout.write(helpText);
      return ExitCode.ok;
    }
    if (parsed.command === 'version') {
      output.result({ version: PRODUCT_VERSION }, PRODUCT_VERSION);
      return ExitCode.ok;
    }
    return await execute(parsed, output, redactor);
  } catch (error) {
    return output.failure(error);
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Open sockets (SSE streams, keep-alive) must not keep a finished command alive.
    setTimeout(() => process.exit(code), 200).unref();
  });
}
