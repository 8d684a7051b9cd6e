import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCliArgs } from '../../../src/cli/args';
import { readConformanceEnv } from '../../../src/cli/conformanceDriver';
import {
  CLI_CLIENT_INFO,
  EXTENSION_CLIENT_INFO,
  PRODUCT_VERSION,
  PROTOCOL_CHOICES,
  isProtocolChoice,
} from '../../../src/core/mcp/protocolVersions';

describe('protocol versions and client identity (one constants module)', () => {
  it('PRODUCT_VERSION is package.json version, and every clientInfo carries it', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(PRODUCT_VERSION, manifest.version);
    assert.equal(EXTENSION_CLIENT_INFO.version, manifest.version);
    assert.equal(CLI_CLIENT_INFO.version, manifest.version);
  });

  it('the CLI flag, the conformance environment and the definitions accept exactly PROTOCOL_CHOICES', () => {
    assert.deepEqual(PROTOCOL_CHOICES, ['auto', '2025-11-25', '2026-07-28']);
    for (const choice of PROTOCOL_CHOICES) {
      assert.equal(isProtocolChoice(choice), true);
      assert.equal(readConformanceEnv({ MCP_CONFORMANCE_PROTOCOL_VERSION: choice }).protocol, choice);
    }
    assert.equal(isProtocolChoice('2025-06-18'), false);
    assert.equal(readConformanceEnv({ MCP_CONFORMANCE_PROTOCOL_VERSION: '2025-06-18' }).protocol, 'auto');
    assert.throws(
      () => parseCliArgs(['tools', 'https://example.com/mcp', '--protocol', '2025-06-18']),
      /--protocol must be/,
    );
  });
});
