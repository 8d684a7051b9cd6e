import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { McpSecureApi } from '../../../src/vscode/testApi';
import { activatedApi, formOpener, requireFixtures, setServers, waitFor } from './helpers';

/** test/fixtures/chatParticipant, loaded next to the extension by the integration harness (test-only). */
const FIXTURE_ID = 'mcp-secure-test.chat-participant';
const SERVER_ID = 'gwp-tickets';
const TOOL = 'mcp_gwp-tickets_whoami';

interface ParticipantOutcome {
  tool: string;
  ok: boolean;
  text: string;
}
interface ParticipantFixture {
  outcomes(): ParticipantOutcome[];
  nextOutcome(): Promise<ParticipantOutcome>;
}

/**
 * Issue 8: a chat participant's request (what VS Code's agent does) reaches a gateway tool with the
 * request's toolInvocationToken, so VS Code shows its own inline confirmation first; the call then runs
 * through MCP Secure and is audited once, with caller chat and the chat's conversation id. Chat itself
 * needs a Copilot sign-in; a participant with a fake language model works offline.
 */
describe("Gateway: a chat participant's tool call, after VS Code's own confirmation", () => {
  let api: McpSecureApi;
  let fixture: ParticipantFixture;
  const config = () => vscode.workspace.getConfiguration();

  before(async () => {
    const f = requireFixtures();
    api = await activatedApi();
    const ext = vscode.extensions.getExtension<ParticipantFixture>(FIXTURE_ID);
    assert.ok(ext, `the harness loads the test-only fixture ${FIXTURE_ID}`);
    fixture = ext.isActive ? ext.exports : await ext.activate();
    // The harness starts the editor with AI features off; a participant needs the chat view.
    await config().update('chat.disableAIFeatures', false, vscode.ConfigurationTarget.Global);
    await setServers([{ id: SERVER_ID, name: 'Participant Tickets', transport: 'http', url: f.httpUrl }]);
    await api.signIn(SERVER_ID, formOpener(f.user), ['tickets:read']);
    await waitFor(async () => {
      await vscode.commands.executeCommand('workbench.mcp.startServer', '*', { waitForLiveTools: true });
      return vscode.lm.tools.some((t) => t.name === TOOL);
    }, `${TOOL} in vscode.lm.tools`);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.mcp.stopServer', '*').then(undefined, () => undefined);
    await api.signOut(SERVER_ID).catch(() => undefined);
    await setServers(undefined);
    await config().update('chat.disableAIFeatures', undefined, vscode.ConfigurationTarget.Global);
  });

  /** Sends `@mcpsecuretest <tool>` in the chat view and answers VS Code's confirmation with `answer`. */
  async function participantRequest(
    answer: 'workbench.action.chat.acceptTool' | 'workbench.action.chat.skipTool',
  ): Promise<ParticipantOutcome> {
    const outcome = fixture.nextOutcome();
    let settled = false;
    void outcome.then(() => (settled = true));
    // Not awaited: the request (and so the command) is pending until the confirmation is answered.
    void vscode.commands.executeCommand('workbench.action.chat.open', {
      query: `@mcpsecuretest ${TOOL}`,
      modelSelector: { vendor: 'mcpsecuretest' },
    });
    // The command answers the pending confirmation of the last focused chat; it does nothing while
    // none is pending, so it is repeated until the participant reports its outcome.
    await waitFor(
      async () => {
        if (!settled) await vscode.commands.executeCommand(answer);
        return settled;
      },
      `the participant's outcome after ${answer}`,
      30_000,
    );
    return outcome;
  }

  it("skipping VS Code's confirmation runs nothing: no upstream call, no audit record", async () => {
    const before = (await api.auditRecords()).length;
    const calls = api.gateway?.callCount(SERVER_ID);
    const outcome = await participantRequest('workbench.action.chat.skipTool');
    assert.equal(outcome.tool, TOOL);
    assert.doesNotMatch(outcome.text, /"sub"/, 'the tool did not run');
    assert.equal((await api.auditRecords()).length, before);
    assert.equal(api.gateway?.callCount(SERVER_ID), calls);
  });

  it('accepting it runs the tool through the gateway: one audit record, caller chat, with the conversation id', async () => {
    const before = (await api.auditRecords()).length;
    const calls = api.gateway?.callCount(SERVER_ID) ?? 0;
    const outcome = await participantRequest('workbench.action.chat.acceptTool');
    assert.ok(outcome.ok, outcome.text);
    const who = JSON.parse(outcome.text) as { sub?: string; scopes: string[] };
    assert.ok(who.sub, 'the server verified our Bearer token');
    const records = (await api.auditRecords()).slice(before);
    assert.deepEqual(
      records.map((r) => [r.who.caller, r.what.server.id, r.what.tool, r.outcome.kind]),
      [['chat', SERVER_ID, 'whoami', 'success']],
    );
    assert.match(
      records[0]?.who.conversationId ?? '',
      /\S/,
      'the chat conversation id (_meta["vscode.conversationId"]) is recorded',
    );
    assert.equal(api.gateway?.callCount(SERVER_ID), calls + 1);
  });
});
