import type {
  AuthorizedRequest,
  RejectedRequest,
  RejectionVerdict,
  RequestAuthorizer,
} from '../../../../src/core/requestAuthorizer';
import { McpSecureError } from '../../../../src/core/errors';
import { parseBearerChallenge } from '../../../../src/core/mcp/accessDeniedError';

/**
 * A small working RequestAuthorizer for tests: "signs in" on the first 401 by minting a token for the
 * challenged scope, and steps up on 403 insufficient_scope only if `consent` says yes. It returns
 * credentials only for URLs inside the protected resource, and records everything it was asked.
 */
export class TestAuthorizer implements RequestAuthorizer {
  token?: string;
  scopes: string[] = [];
  readonly asked: string[] = [];
  readonly rejections: { status: number; attempt: number; challenge: Record<string, string> }[] = [];

  constructor(
    private readonly resource: string,
    private readonly mint: (scope: string) => Promise<string>,
    private readonly consent: (requested: string[]) => boolean = () => false,
    /** Throw `step_up_refused` (like the real engine) instead of answering `fail`. */
    private readonly refuseLoudly = false,
  ) {}

  async headersFor(request: AuthorizedRequest): Promise<Record<string, string>> {
    this.asked.push(request.url.href);
    const r = new URL(this.resource);
    if (request.url.origin !== r.origin || !request.url.pathname.startsWith(r.pathname)) return {};
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  async handleRejection(rejection: RejectedRequest): Promise<RejectionVerdict> {
    const challenge = parseBearerChallenge(rejection.headers.get('www-authenticate'));
    this.rejections.push({ status: rejection.status, attempt: rejection.attempt, challenge });
    if (rejection.attempt > 2) return 'fail';
    if (rejection.status === 401 && challenge.error !== 'invalid_token') {
      return this.grant((challenge.scope ?? 'tickets:read').split(' '));
    }
    if (rejection.status === 403 && challenge.error === 'insufficient_scope') {
      const wanted = [...new Set([...this.scopes, ...(challenge.scope ?? '').split(' ').filter(Boolean)])];
      if (!this.consent(wanted)) {
        if (this.refuseLoudly) throw new McpSecureError('step_up_refused', 'Additional permissions were not approved.');
        return 'fail';
      }
      return this.grant(wanted);
    }
    return 'fail';
  }

  private async grant(scopes: string[]): Promise<RejectionVerdict> {
    this.scopes = scopes;
    this.token = await this.mint(scopes.join(' '));
    return 'retry';
  }
}
