/**
 * A small working stand-in for the `vscode` module — just enough of the API for `activate()` to run in
 * plain Node, recording what the extension registered and shown. Namespaces are real objects with
 * working events and disposables; UI calls that would wait for a user resolve as "dismissed".
 * Loaded in place of `vscode` by `loadWithEditorStandIn`.
 */
import { formatMessage } from '../../src/core/common/formatMessage';
import Module from 'node:module';
import { pathToFileURL } from 'node:url';

type Listener<T> = (e: T) => unknown;

class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  get fsPath(): string {
    return this.path;
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static parse(value: string): Uri {
    const u = new URL(value);
    return new Uri(u.protocol.slice(0, -1), u.pathname);
  }
  static from(c: { scheme: string; path?: string }): Uri {
    return new Uri(c.scheme, c.path ?? '/');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.path, ...parts].join('/'));
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

const noop = (): Disposable => new Disposable();
const dismissed = async (): Promise<undefined> => undefined;

export interface StandInRecord {
  readonly commands: string[];
  readonly shown: string[];
}

/** Builds a fresh stand-in module and the record of what the extension did with it. */
export function createEditorStandIn(): { module: Record<string, unknown>; record: StandInRecord } {
  const record: StandInRecord = { commands: [], shown: [] };
  const channel = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    append: noop,
    appendLine: noop,
    show: noop,
    hide: noop,
    clear: noop,
    dispose: noop,
    logLevel: 2,
    onDidChangeLogLevel: new EventEmitter().event,
  };
  const show = async (message: string): Promise<undefined> => void record.shown.push(message);
  const module = {
    Disposable,
    EventEmitter,
    Uri,
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ThemeIcon: class {
      constructor(readonly id: string) {}
    },
    ThemeColor: class {
      constructor(readonly id: string) {}
    },
    TreeItem: class {
      constructor(
        readonly label: unknown,
        readonly collapsibleState?: number,
      ) {}
    },
    window: {
      createOutputChannel: () => channel,
      createTreeView: () => ({ dispose: noop }),
      createStatusBarItem: () => ({ show: noop, hide: noop, dispose: noop }),
      registerWebviewViewProvider: noop,
      registerWebviewPanelSerializer: noop,
      showInformationMessage: show,
      showWarningMessage: show,
      showErrorMessage: show,
      showQuickPick: dismissed,
      showInputBox: dismissed,
      showSaveDialog: dismissed,
      withProgress: async (_o: unknown, task: (p: unknown, t: unknown) => Promise<unknown>) =>
        task({ report: noop }, { onCancellationRequested: noop }),
    },
    workspace: {
      isTrusted: true,
      workspaceFolders: undefined,
      getConfiguration: () => ({ get: () => undefined, inspect: () => undefined, update: async () => undefined }),
      onDidChangeConfiguration: noop,
      onDidGrantWorkspaceTrust: noop,
      registerTextDocumentContentProvider: noop,
      registerFileSystemProvider: noop,
    },
    commands: {
      registerCommand: (id: string) => {
        record.commands.push(id);
        return new Disposable();
      },
      executeCommand: async () => undefined,
    },
    authentication: {
      registerAuthenticationProvider: noop,
      getSession: async () => undefined,
    },
    env: { openExternal: async () => false, asExternalUri: async (u: Uri) => u },
    languages: { setTextDocumentLanguage: async () => undefined },
    l10n: { t: formatMessage },
  };
  return { module, record };
}

/**
 * Imports `modulePath` with `vscode` resolved to `standIn` (CommonJS `require`, as the bundle does).
 * Modules under `sourceRoot` are dropped from the require cache first, so each call binds its own
 * stand-in instead of the one an earlier call left behind.
 */
export async function loadWithEditorStandIn<T>(
  modulePath: string,
  standIn: Record<string, unknown>,
  sourceRoot: string,
): Promise<T> {
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  // Put the earlier instances back afterwards: other test files must keep seeing the same module
  // instances (one McpSecureError class, one Strings table) as the code they import directly.
  const earlier = Object.entries(cache).filter(([file]) => file.startsWith(sourceRoot));
  for (const [file] of earlier) delete cache[file];
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? standIn : original.call(this, request, ...rest);
  };
  try {
    return (await import(`${pathToFileURL(modulePath).href}?standIn=${Date.now()}`)) as T;
  } finally {
    loader._load = original;
    for (const file of Object.keys(cache)) if (file.startsWith(sourceRoot)) delete cache[file];
    for (const [file, mod] of earlier) cache[file] = mod;
  }
}
