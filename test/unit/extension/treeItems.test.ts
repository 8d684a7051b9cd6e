import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { HOSTILE_TEXTS, unsafeParts } from '../../fixtures/hostileText';
import { createEditorStandIn, loadWithEditorStandIn } from '../../support/editorStandIn';

type Item = {
  label?: string | { label: string };
  description?: string | boolean;
  tooltip?: string | { value: string };
};

describe('Servers tree items (withSafeText)', () => {
  it('turns every label, description and tooltip into plain text, markdown tooltips included', async () => {
    const src = join(__dirname, '../../../src');
    const { module } = createEditorStandIn();
    const { withSafeText } = await loadWithEditorStandIn<{ withSafeText: <T extends Item>(item: T) => T }>(
      join(src, 'vscode/tree/serverTreeItems.ts'),
      module,
      src,
    );
    for (const hostile of HOSTILE_TEXTS) {
      const item = withSafeText({
        label: { label: hostile },
        description: hostile,
        tooltip: { value: `${hostile}\n${hostile}` },
      });
      assert.equal(typeof item.label, 'string');
      assert.equal(typeof item.tooltip, 'string', 'a MarkdownString tooltip becomes plain text');
      const texts = [item.label, item.description, ...String(item.tooltip).split('\n')].map(String);
      assert.deepEqual(
        texts.flatMap((t) => unsafeParts(t)),
        [],
        hostile,
      );
    }
  });
});
