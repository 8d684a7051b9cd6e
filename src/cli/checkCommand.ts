import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import { checkServerSecurity } from '../core/security/securityCheck';
import { securityReportText } from '../core/security/securityReportFormat';
import type { CommandContext } from './commands';
import { ExitCode } from './exitCodes';

/**
 * `mcp-secure check <url>`: the security report of src/core/security for one HTTP server, as text or
 * `--json`. Exit code 2 when any check fails, so a server author's CI can gate on it.
 */
export async function checkCommand(ctx: CommandContext, def: HttpServerDefinition): Promise<ExitCode> {
  const { auth } = ctx.runtime;
  const report = await checkServerSecurity({
    server: auth.serverFor(def),
    grant: await auth.grantEvidence(def),
    clientMetadataUrl: ctx.parsed.options.clientMetadataUrl,
    signal: ctx.signal,
  });
  ctx.output.result(report, securityReportText(report));
  return report.counts.failed > 0 ? ExitCode.refused : ExitCode.ok;
}
