import { isMcpSecureError } from '../../../../src/core/errors';

/** How a promise ends: 'resolved', or the McpSecureError code it rejects with (else the error text). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isMcpSecureError(err) ? err.code : String(err);
  }
}
