/**
 * Task-augmented tool calls (MCP 2025-11-25 §Utilities/Tasks, "Tool-Level Negotiation" and "Task
 * Lifecycle"). A tool whose `execution.taskSupport` is `"required"` must be called with `params.task`:
 * the server answers `tools/call` with a `CreateTaskResult` at once, runs the work in the background,
 * and the client polls `tasks/get` (woken early by `notifications/tasks/status`), fetches the final
 * `CallToolResult` with `tasks/result`, and asks `tasks/cancel` when the user gives up.
 *
 * `@modelcontextprotocol/client` 2.4 has the task schemas (`specTypeSchemas.CreateTaskResult`, …) and
 * the `tasks/*` notification types but no task-driving call: this module drives the protocol through
 * `Client.request` with those schemas. Tasks exist only on the 2025-11-25 wire; on 2026-07-28 they moved
 * to an extension (SEP-2663) the SDK does not speak, so a task-required tool is refused there.
 */
import { specTypeSchemas, type Client, type Tool } from '@modelcontextprotocol/client';
import { McpSecureError } from '../errors';
import { safeText } from '../common/safeText';
import { NO_SDK_TIMEOUT, outerAbortReason, withDeadline, type AuthActivity } from './requestDeadline';

/** `execution.taskSupport` of a tool (MCP 2025-11-25 §Tools/Tool): `"forbidden"` when absent. */
export type TaskSupport = 'forbidden' | 'optional' | 'required';

/** Task status (MCP 2025-11-25 §Utilities/Tasks "Task Status"); the last three are terminal. */
export type TaskStatusKind = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** A task's state as the caller sees it while it runs (status message sanitised). */
export interface ToolTaskStatus {
  readonly taskId: string;
  readonly status: TaskStatusKind;
  readonly statusMessage?: string;
}

/** What a task-augmented call ended as: recorded once, with the call's audit record. */
export interface ToolTaskSummary {
  readonly taskId: string;
  readonly status: TaskStatusKind;
}

/** How long the server is asked to keep a task and its result (`params.task.ttl`). */
export const DEFAULT_TASK_TTL_MS = 60 * 60_000;
/** Bounds on the server's `pollInterval`: never a busy loop, never so slow a status goes stale. */
export const MIN_POLL_MS = 50;
export const MAX_POLL_MS = 10_000;
/** `tasks/cancel` after the caller gave up gets this long, whatever the call's own deadline was. */
const CANCEL_TIMEOUT_MS = 10_000;
const TASK_PROTOCOL_VERSION = '2025-11-25';

const TERMINAL: ReadonlySet<TaskStatusKind> = new Set<TaskStatusKind>(['completed', 'failed', 'cancelled']);

export function isTerminalTaskStatus(status: TaskStatusKind): boolean {
  return TERMINAL.has(status);
}

/** The tool's declared task support ("forbidden" when absent or unknown). */
export function taskSupportOf(tool: Pick<Tool, 'execution'> | { execution?: unknown }): TaskSupport {
  const value = (tool.execution as { taskSupport?: unknown } | undefined)?.taskSupport;
  return value === 'optional' || value === 'required' ? value : 'forbidden';
}

/**
 * Whether `tools/call` may be task-augmented on this connection: the 2025-11-25 wire and the server's
 * `capabilities.tasks.requests.tools.call` ("If a server's capabilities do not include
 * `tasks.requests.tools.call`, then clients MUST NOT attempt to use task augmentation on that server's
 * tools, regardless of the `execution.taskSupport` value").
 */
export function serverTakesToolTasks(client: Client): boolean {
  if (client.getNegotiatedProtocolVersion() !== TASK_PROTOCOL_VERSION) return false;
  const tasks = (client.getServerCapabilities() as { tasks?: { requests?: { tools?: { call?: unknown } } } })?.tasks;
  return typeof tasks?.requests?.tools?.call === 'object' && tasks.requests.tools.call !== null;
}

/**
 * Decide how to call `tool`: as a task (`"required"`, or `"optional"` when the caller prefers one) or
 * normally. A task-required tool on a server or wire without tool tasks is refused with
 * `task_unsupported` before anything is sent.
 */
export function planTaskCall(tool: Tool, client: Client, preferTask: boolean): boolean {
  const support = taskSupportOf(tool);
  if (support === 'forbidden') return false;
  const possible = serverTakesToolTasks(client);
  if (support === 'required' && !possible) {
    const version = client.getNegotiatedProtocolVersion() ?? 'unknown';
    throw new McpSecureError(
      'task_unsupported',
      `The tool ${JSON.stringify(safeText(tool.name, 100))} must run as a task, but ${
        version === TASK_PROTOCOL_VERSION
          ? 'the server does not declare tasks for tools/call (capabilities.tasks.requests.tools.call)'
          : `tasks need protocol 2025-11-25 and this connection speaks ${safeText(version, 40)}`
      }.`,
    );
  }
  return possible && (support === 'required' || preferTask);
}

export interface RunToolTaskOptions {
  /** The caller's cancellation (Ctrl+C, a cancelled progress notification, VS Code's chat). */
  readonly signal?: AbortSignal;
  /** A deadline for the whole task, when the caller set one; otherwise it runs until done or cancelled. */
  readonly deadlineMs?: number;
  /** Deadline of each request (`tools/call`, `tasks/get`, `tasks/cancel`). */
  readonly requestTimeoutMs: number;
  readonly activity?: AuthActivity;
  readonly ttlMs?: number;
  readonly onStatus?: (status: ToolTaskStatus) => void;
  /** Filled in as the task runs: the call's outcome reports it, even when the call fails. */
  readonly tracker: { taskId?: string; status?: TaskStatusKind };
}

type WireTask = {
  taskId: string;
  status: TaskStatusKind;
  statusMessage?: string;
  pollInterval?: number;
  lastUpdatedAt?: string;
};

/** Whether `a` was last updated before `b` (ISO 8601 timestamps, §Task: `lastUpdatedAt`). */
function isOlder(a: WireTask, b: WireTask): boolean {
  const ta = typeof a.lastUpdatedAt === 'string' ? Date.parse(a.lastUpdatedAt) : NaN;
  const tb = typeof b.lastUpdatedAt === 'string' ? Date.parse(b.lastUpdatedAt) : NaN;
  return Number.isFinite(ta) && Number.isFinite(tb) && ta < tb;
}

/**
 * Run one task-augmented `tools/call` to its end and return the raw `CallToolResult` that
 * `tasks/result` delivered. When the caller cancels (or the whole-task deadline passes) before the task
 * ended, `tasks/cancel` is sent and awaited, then the call rejects with `cancelled` (`request_timeout`).
 */
export async function runToolTask(
  client: Client,
  call: { name: string; arguments: Record<string, unknown> },
  opts: RunToolTaskOptions,
): Promise<Record<string, unknown>> {
  const controller = new AbortController();
  const onOuter = (): void => controller.abort(outerAbortReason(opts.signal?.reason, opts.activity?.busy ?? false));
  if (opts.signal?.aborted) onOuter();
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  const timer =
    opts.deadlineMs === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new McpSecureError('request_timeout', `The task did not finish within ${opts.deadlineMs! / 1000} s.`),
            ),
          opts.deadlineMs,
        );
  const watch = new TaskWatch(client, opts);
  const pending: { creating?: Promise<WireTask> } = {};
  try {
    return await driveTask(client, call, opts, controller.signal, watch, pending);
  } catch (err) {
    if (!controller.signal.aborted) throw err;
    if (opts.tracker.taskId === undefined && pending.creating) {
      // Cancelled while the server was creating the task: learn its id (bounded), then cancel it too.
      const created = await withDeadline(cancelTimeout(opts), undefined, undefined, () => pending.creating!).catch(
        () => undefined,
      );
      if (created) Object.assign(opts.tracker, { taskId: created.taskId, status: created.status });
    }
    await cancelTask(client, opts);
    throw controller.signal.reason;
  } finally {
    watch.dispose();
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuter);
  }
}

async function driveTask(
  client: Client,
  call: { name: string; arguments: Record<string, unknown> },
  opts: RunToolTaskOptions,
  signal: AbortSignal,
  watch: TaskWatch,
  pending: { creating?: Promise<WireTask> },
): Promise<Record<string, unknown>> {
  const step = <T>(work: (s: AbortSignal) => Promise<T>): Promise<T> =>
    withDeadline(opts.requestTimeoutMs, opts.activity, signal, work);
  if (signal.aborted) throw signal.reason; // nothing sent yet
  // Once sent, the creation is not abandoned: a task the server creates after the caller gave up must
  // still be cancelled, so the caller's abort only stops the waiting (runToolTask then awaits it).
  pending.creating = withDeadline(opts.requestTimeoutMs, opts.activity, undefined, (s) =>
    client.request(
      { method: 'tools/call', params: { ...call, task: { ttl: opts.ttlMs ?? DEFAULT_TASK_TTL_MS } } },
      specTypeSchemas.CreateTaskResult,
      { signal: s, timeout: NO_SDK_TIMEOUT },
    ),
  ).then((created) => created.task as WireTask);
  pending.creating.catch(() => undefined);
  let task = await untilAborted(pending.creating, signal);
  watch.start(task.taskId);
  watch.report(task);
  // input_required: the server delivers its requests (elicitation) on the tasks/result stream.
  while (!isTerminalTaskStatus(task.status) && task.status !== 'input_required') {
    await watch.sleep(pollDelay(task.pollInterval), signal);
    const heard = watch.latest;
    task =
      heard && isTerminalTaskStatus(heard.status)
        ? heard
        : ((await step((s) =>
            client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, specTypeSchemas.GetTaskResult, {
              signal: s,
              timeout: NO_SDK_TIMEOUT,
            }),
          )) as WireTask);
    watch.report(task);
  }
  if (task.status === 'cancelled') throw new McpSecureError('cancelled', 'The server cancelled the task.');
  // Terminal: answered at once. input_required: blocks until the task ends (bounded by the caller only).
  const result = (await withDeadline(NO_SDK_TIMEOUT, opts.activity, signal, (s) =>
    client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, specTypeSchemas.CallToolResult, {
      signal: s,
      timeout: NO_SDK_TIMEOUT,
    }),
  )) as Record<string, unknown>;
  if (!isTerminalTaskStatus(opts.tracker.status ?? 'working'))
    opts.tracker.status = watch.latest && isTerminalTaskStatus(watch.latest.status) ? watch.latest.status : 'completed';
  return result;
}

/** `tasks/cancel` for a task that has not ended; its answer (or `cancelled`) is the task's final status. */
async function cancelTask(client: Client, opts: RunToolTaskOptions): Promise<void> {
  const { tracker } = opts;
  if (tracker.taskId === undefined || (tracker.status !== undefined && isTerminalTaskStatus(tracker.status))) return;
  try {
    const answer = (await withDeadline(cancelTimeout(opts), undefined, undefined, (s) =>
      client.request(
        { method: 'tasks/cancel', params: { taskId: tracker.taskId! } },
        specTypeSchemas.CancelTaskResult,
        {
          signal: s,
          timeout: NO_SDK_TIMEOUT,
        },
      ),
    )) as { status?: TaskStatusKind };
    tracker.status = answer.status && isTerminalTaskStatus(answer.status) ? answer.status : 'cancelled';
  } catch {
    // Already terminal on the server (-32602), or unreachable: the caller gave up on it either way.
    tracker.status = 'cancelled';
  }
}

function cancelTimeout(opts: RunToolTaskOptions): number {
  return Math.min(opts.requestTimeoutMs, CANCEL_TIMEOUT_MS);
}

/** `work`, unless `signal` aborts first (then its reason); `work` itself goes on. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function pollDelay(pollInterval: number | undefined): number {
  const ms = typeof pollInterval === 'number' && Number.isFinite(pollInterval) ? pollInterval : 1000;
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms));
}

type StatusListener = (task: WireTask) => void;
/** One `notifications/tasks/status` handler per SDK client, dispatching by task id. */
const statusListeners = new WeakMap<Client, Map<string, StatusListener>>();

function listenersOf(client: Client): Map<string, StatusListener> {
  let map = statusListeners.get(client);
  if (!map) {
    const listeners = new Map<string, StatusListener>();
    map = listeners;
    statusListeners.set(client, listeners);
    // A spec notification on the 2025-11-25 wire (the SDK parses it with TaskStatusNotificationSchema);
    // the typed overload's method map leaves the tasks/* methods out, hence the cast.
    const set = client.setNotificationHandler.bind(client) as (
      method: string,
      handler: (n: { params?: Record<string, unknown> }) => void,
    ) => void;
    set('notifications/tasks/status', (n) => {
      const params = n.params as WireTask | undefined;
      if (params && typeof params.taskId === 'string') listeners.get(params.taskId)?.(params);
    });
  }
  return map;
}

/**
 * Status of one task from both sources (polls and `notifications/tasks/status`): reports each change
 * once, and wakes the poll loop when a notification arrives ("Requestors MAY … continue polling").
 */
class TaskWatch {
  latest?: WireTask;
  private taskId?: string;
  private wake?: () => void;
  private lastShown = '';

  constructor(
    private readonly client: Client,
    private readonly opts: RunToolTaskOptions,
  ) {}

  start(taskId: string): void {
    this.taskId = taskId;
    this.opts.tracker.taskId = taskId;
    listenersOf(this.client).set(taskId, (task) => {
      this.report(task);
      this.wake?.();
    });
  }

  report(task: WireTask): void {
    if (task.taskId !== this.taskId) return;
    // Once terminal, a task stays so (§Task Status): a late non-terminal notification changes nothing;
    // nor does a status older than the one shown (a poll's answer and a notification can cross).
    if (this.latest && isTerminalTaskStatus(this.latest.status)) return;
    if (this.latest && isOlder(task, this.latest)) return;
    this.latest = task;
    this.opts.tracker.status = task.status;
    const status: ToolTaskStatus = {
      taskId: task.taskId,
      status: task.status,
      ...(typeof task.statusMessage === 'string' ? { statusMessage: safeText(task.statusMessage, 200) } : {}),
    };
    const key = `${status.status}\u0000${status.statusMessage ?? ''}`;
    if (key === this.lastShown) return;
    this.lastShown = key;
    try {
      this.opts.onStatus?.(status);
    } catch {
      // a display callback must not break the call
    }
  }

  /** Wait `ms`, or less when a status notification arrives; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, ms);
      this.wake = () => {
        done();
        resolve();
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  dispose(): void {
    if (this.taskId !== undefined) statusListeners.get(this.client)?.delete(this.taskId);
  }
}
