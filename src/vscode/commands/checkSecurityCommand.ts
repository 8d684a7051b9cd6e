import type { HttpServerDefinition } from '../../core/mcp/serverDefinition';
import { grantEvidence } from '../../core/security/grantChecks';
import type { SecurityReport } from '../../core/security/securityReport';
import { securityReportMarkdown } from '../../core/security/securityReportFormat';
import { safeText } from '../../core/common/safeText';
import { withCancellableProgress } from '../progress';
import type { SecurityReportDocuments } from '../securityReportDocuments';
import type { CommandServices } from '../services';
import { Strings } from '../strings';
import { pickServer } from './pickServer';

/** Longest value kept in the report (URLs and scope lists fit; a hostile megabyte does not). */
const MAX_VALUE_LENGTH = 2_000;

/**
 * `mcpSecure.checkSecurity`: runs the core security check (src/core/security) against one HTTP server,
 * with the evidence of its stored grant (never a token), and opens the report as a read-only Markdown
 * document. Every server-supplied value goes through the safe-text function before it is placed in a
 * code span. Returns the report (tests, scripting).
 */
export async function checkSecurityCommand(
  s: CommandServices,
  reports: SecurityReportDocuments,
  clientMetadataUrl: () => string | undefined,
  serverId?: string,
): Promise<SecurityReport> {
  const def = (await pickServer(s.registry, serverId, (d) => d.transport === 'http')) as HttpServerDefinition;
  const server = await s.secrets.oauthServerFor(def);
  const report = await withCancellableProgress(Strings.checkingSecurity(safeText(def.name)), async (signal) => {
    const grant = await s.engine.getGrant(server);
    const evidence = grant ? grantEvidence(grant, await s.engine.storedAccessToken(server)) : undefined;
    // The checks use the OAuth protocol modules (openid-client): loaded on first use, not at activation.
    const { checkServerSecurity } = await import('../../core/security/securityCheck');
    return checkServerSecurity({ server, grant: evidence, clientMetadataUrl: clientMetadataUrl(), signal });
  });
  const markdown = securityReportMarkdown(report, {
    serverName: safeText(def.name),
    clean: (v) => safeText(v, MAX_VALUE_LENGTH),
  });
  await reports.show(def.id, markdown);
  s.logger.info(
    `security check of ${def.id}: ${report.counts.passed} passed, ${report.counts.warned} warnings, ${report.counts.failed} failed`,
  );
  return report;
}
