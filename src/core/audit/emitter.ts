/** The core's one emitter lives in src/core/common/event.ts; re-exported for the audit store's import. */
export { Emitter, type Disposable, type Event } from '../common/event';
