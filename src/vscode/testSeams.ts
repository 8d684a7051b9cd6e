import { McpSecureError } from '../core/errors';
import { Strings } from './strings';
import type { ElicitationAnswer, ElicitationHandler, ElicitationRequest } from '../core/mcp/types';
import type { ImportRoots } from '../core/import/importSources';
import type { BrowserOpener } from '../core/ports';
import type { ProgressReport, ProgressWork } from './progress';
import type { Confirm, ConfirmKind, ConfirmRequest, Prompts } from './prompts';

/** What `use…` returns: disposing it removes the double again. */
export interface Lease {
  dispose(): void;
}

/** A progress notification as a test sees it: its title, what it reported so far, and its Cancel button. */
export interface ProgressRun {
  readonly title: string;
  readonly reports: readonly ProgressReport[];
  /** What the notification's Cancel button does: aborts the work's signal with `cancelled`. */
  cancel(): void;
}

export type ConfirmHandler<K extends ConfirmKind> = (request: Extract<ConfirmRequest, { kind: K }>) => Promise<boolean>;

/**
 * Test doubles around the real prompts, built by `extension.ts` ONLY when the extension runs in
 * `ExtensionMode.Test` (the integration suite): test mode cannot click through the editor's dialogs,
 * so a test answers them here. Without a double in place the real prompt runs. Production code
 * never sees this module.
 */
export class TestSeams {
  private opener: BrowserOpener['open'] | undefined;
  private elicitation: ElicitationHandler | undefined;
  private progressWatch: ((run: ProgressRun) => void) | undefined;
  private readonly confirmations = new Map<ConfirmKind, ConfirmHandler<ConfirmKind>>();
  /** Where "Import Servers…" looks instead of the real home / config folders (a temporary HOME in tests). */
  importRoots: Partial<ImportRoots> | undefined;
  /** Every confirmation asked since activation (answered by a double or not), oldest first. */
  readonly asked: ConfirmRequest[] = [];

  constructor(private readonly real: Prompts) {}

  /** The prompts to inject: each one consults its double first. */
  readonly prompts: Prompts = {
    opener: { open: (url: URL) => (this.opener ?? ((u: URL) => this.real.opener.open(u)))(url) },
    confirm: ((request) => {
      this.asked.push(request);
      const handler = this.confirmations.get(request.kind);
      return handler ? handler(request) : this.real.confirm(request);
    }) satisfies Confirm,
    elicit: (request: ElicitationRequest, signal: AbortSignal): Promise<ElicitationAnswer> =>
      (this.elicitation ?? this.real.elicit)(request, signal),
    progress: <T>(title: string, work: ProgressWork<T>): Promise<T> => {
      const watch = this.progressWatch;
      if (!watch) return this.real.progress(title, work);
      // The real notification still shows; the test sees its reports and can press its Cancel.
      return this.real.progress(title, (signal, report) => {
        const cancel = new AbortController();
        const reports: ProgressReport[] = [];
        watch({
          title,
          reports,
          cancel: () => cancel.abort(new McpSecureError('cancelled', Strings.requestCancelled)),
        });
        return work(AbortSignal.any([signal, cancel.signal]), (update) => {
          reports.push(update);
          report(update);
        });
      });
    },
  };

  useOpener(open: (url: URL) => Promise<void>): Lease {
    this.opener = open;
    return lease(() => this.opener === open && (this.opener = undefined));
  }

  useElicitation(handler: ElicitationHandler): Lease {
    this.elicitation = handler;
    return lease(() => this.elicitation === handler && (this.elicitation = undefined));
  }

  /** Sees every progress notification started while leased (the real one still shows). */
  useProgress(watch: (run: ProgressRun) => void): Lease {
    this.progressWatch = watch;
    return lease(() => this.progressWatch === watch && (this.progressWatch = undefined));
  }

  useImportRoots(roots: Partial<ImportRoots>): Lease {
    this.importRoots = roots;
    return lease(() => this.importRoots === roots && (this.importRoots = undefined));
  }

  useConfirmation<K extends ConfirmKind>(kind: K, handler: ConfirmHandler<K>): Lease {
    const h = handler as unknown as ConfirmHandler<ConfirmKind>;
    this.confirmations.set(kind, h);
    return lease(() => this.confirmations.get(kind) === h && this.confirmations.delete(kind));
  }
}

function lease(release: () => unknown): Lease {
  return { dispose: () => void release() };
}
