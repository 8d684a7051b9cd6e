import * as vscode from 'vscode';
import { Settings } from '../constants';

/** Bounds and defaults as package.json declares them (settings.json may hold anything). */
const REQUEST_TIMEOUT = { min: 1, max: 3600, fallback: 60 } as const;
const REDIRECT_TIMEOUT = { min: 10, max: 3600, fallback: 300 } as const;

function seconds(value: unknown, bounds: { min: number; max: number; fallback: number }): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return bounds.fallback;
  return Math.min(bounds.max, Math.max(bounds.min, value));
}

/**
 * The settings the core reads while it runs (`requestTimeoutSeconds`, `redirectTimeoutSeconds`,
 * `clientMetadataUrl`), re-read whenever the configuration changes so they take effect at once: the
 * OAuth engine and the connection manager read these getters at every sign-in and every request.
 * Restricted settings (the CIMD URL) come from `getConfiguration`, which already leaves out workspace
 * values in an untrusted workspace.
 */
export class LiveSettings implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires after a watched setting changed (the new values are already in place). */
  readonly onDidChange = this.emitter.event;
  private values = LiveSettings.read();
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    if (
      ![Settings.requestTimeoutSeconds, Settings.redirectTimeoutSeconds, Settings.clientMetadataUrl].some((k) =>
        e.affectsConfiguration(k),
      )
    )
      return;
    this.values = LiveSettings.read();
    this.emitter.fire();
  });

  get requestTimeoutMs(): number {
    return this.values.requestTimeoutMs;
  }
  get redirectTimeoutMs(): number {
    return this.values.redirectTimeoutMs;
  }
  get clientMetadataUrl(): string | undefined {
    return this.values.clientMetadataUrl;
  }

  private static read(): {
    requestTimeoutMs: number;
    redirectTimeoutMs: number;
    clientMetadataUrl: string | undefined;
  } {
    const config = vscode.workspace.getConfiguration();
    const cimd = config.get<unknown>(Settings.clientMetadataUrl);
    return {
      requestTimeoutMs: seconds(config.get<unknown>(Settings.requestTimeoutSeconds), REQUEST_TIMEOUT) * 1000,
      redirectTimeoutMs: seconds(config.get<unknown>(Settings.redirectTimeoutSeconds), REDIRECT_TIMEOUT) * 1000,
      clientMetadataUrl: typeof cimd === 'string' && cimd.trim() ? cimd.trim() : undefined,
    };
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
