import type { RequestAuthorizer } from '../../../../src/core/requestAuthorizer';

/** What an MCP transport does with the authorizer: headers, request, and retry on 'retry'. */
export async function callThrough(
  authorizer: RequestAuthorizer,
  url: string,
  maxAttempts = 6,
): Promise<{ status: number; attempts: number }> {
  const target = new URL(url);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const headers = await authorizer.headersFor({ url: target, method: 'POST' });
    const res = await fetch(target, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
    });
    await res.text();
    if (res.status !== 401 && res.status !== 403) return { status: res.status, attempts: attempt };
    const verdict = await authorizer.handleRejection({
      url: target,
      method: 'POST',
      status: res.status,
      headers: res.headers,
      attempt,
    });
    if (verdict === 'fail') return { status: res.status, attempts: attempt };
  }
  throw new Error('transport gave up');
}
