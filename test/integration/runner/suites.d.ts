/** Virtual module generated at bundle time by scripts/harness/bundleIntegration.mjs. */
declare module 'mcp-secure:integration-suites' {
  /** One entry per suite file, sorted; `load()` evaluates the file (registering its describe/it). */
  export const suites: ReadonlyArray<{ file: string; load: () => unknown }>;
}
