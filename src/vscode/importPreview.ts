import type { ImportPlan, ImportSkipReason } from '../core/import/importPlan';
import { describeTarget } from '../core/mcp/serverDefinition';
import type { FoundSource } from './importFiles';
import { Strings } from './strings';

/**
 * The text of "Import Servers…": the source picker's items and the preview of a plan. Every name,
 * URL, command and path in them comes from another app's file and reaches the editor only through
 * `Strings` (which passes each argument through `safeText`). No `vscode` import, so it is tested in Node.
 */
export interface SourceItem {
  readonly label: string;
  readonly description: string;
  readonly detail: string;
  readonly found: FoundSource;
}

/** One picker item per source found: the app, how many servers it defines (or why it cannot be read), the file. */
export function sourceItems(found: readonly FoundSource[]): SourceItem[] {
  return found.map((f) => ({
    label: Strings.importSourceLabel(f.source.id),
    description: 'error' in f ? Strings.importSourceUnreadable(f.error) : Strings.importSourceCount(f.entries.length),
    detail: Strings.importSourcePath(f.source.file),
    found: f,
  }));
}

/** The preview: what is added (name, id, target) and what is skipped and why; where credentials go. */
export function previewText(
  source: FoundSource['source'],
  plan: ImportPlan,
): { readonly message: string; readonly detail: string } {
  const added = plan.additions.map((a) => Strings.importAddLine(a.name, a.def.id, describeTarget(a.def)));
  const secretCount = plan.additions.reduce((n, a) => n + Object.keys(a.secrets).length, 0);
  const detail = [
    Strings.importAddedHeading,
    ...added,
    ...(plan.skipped.length
      ? ['', Strings.importSkippedHeading, ...plan.skipped.map((k) => skipLine(k.name, k.reason, k.detail))]
      : []),
    '',
    ...(secretCount ? [Strings.importSecretsNote(secretCount)] : []),
    Strings.importLaunchNote,
  ].join('\n');
  const target = source.scope === 'workspace' ? 'workspace' : 'user';
  const message = Strings.importPreviewMessage(plan.additions.length, Strings.importSourceLabel(source.id), target);
  return { message, detail };
}

/** One skipped server: its name, the reason, and the detail (a field name or an id, never a value). */
export function skipLine(name: string, reason: ImportSkipReason, detail: string): string {
  return Strings.importSkipLine(name, Strings.importSkipWhy(Strings.importSkipReason(reason), detail));
}
