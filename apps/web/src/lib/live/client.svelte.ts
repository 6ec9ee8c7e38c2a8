import { io, type Socket } from 'socket.io-client';
import type {
  CallListMarkEvent,
  CallMark,
  ClientToServerEvents,
  ConfirmationFigures,
  FailureNotice,
  MessageState,
  ProgressDelta,
  ProgressFigures,
  ProgressSnapshot,
  ServerToClientEvents,
  SocketRefusal,
} from '@renraku/shared';
import { applyConfirmationDelta, applyDelta, noFigures } from '@renraku/core/live/figures';

// The browser's side of the live protocol (see apps/web/server/live/bridge.ts): watch a
// message, take the snapshot, apply only later deltas of the same stream, and start over
// from a new snapshot after every reconnect. A watch starts from the figures the page's load
// read, so that the page is right before (and without) any socket.

/** Failures a page keeps; older ones are on the call list. */
export const FAILURES_KEPT = 200;

/** What a page's load read of a message, to start a watch from. */
export interface WatchSeed {
  figures: ProgressFigures;
  messageState: MessageState;
  failures?: FailureNotice[];
  confirmation?: ConfirmationFigures | null;
  escalated?: boolean;
}

/** One watched message's live figures. */
export class MessageWatch {
  figures: ProgressFigures = $state(noFigures());
  messageState: MessageState | null = $state(null);
  failures: FailureNotice[] = $state([]);
  /** The answers (安否確認) in scope, for a message that asks for confirmation. */
  confirmation: ConfirmationFigures | null = $state(null);
  escalated = $state(false);
  /** Failures seen since the page opened, kept or not. */
  failureCount = $state(0);
  error: SocketRefusal | null = $state(null);
  private stream: string | null = null;
  private seq = 0;
  private buffered: ProgressDelta[] | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a registry, never rendered
  private readonly failureListeners = new Set<(failures: FailureNotice[]) => void>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a registry, never rendered
  private readonly answerListeners = new Set<() => void>();

  constructor(
    readonly messageId: number,
    seed?: WatchSeed,
    private readonly onUpdate: () => void = () => {},
  ) {
    if (seed) {
      this.figures = structuredClone(seed.figures);
      this.messageState = seed.messageState;
      this.failures = (seed.failures ?? []).slice(0, FAILURES_KEPT);
      this.failureCount = seed.failures?.length ?? 0;
      this.confirmation = structuredClone(seed.confirmation ?? null);
      this.escalated = seed.escalated ?? false;
    }
  }

  /** Calls back when failures arrive (the call list refetches its rows). */
  onFailures(listener: (failures: FailureNotice[]) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Calls back when answers change or the message escalates (the call list refetches). */
  onAnswers(listener: () => void): () => void {
    this.answerListeners.add(listener);
    return () => this.answerListeners.delete(listener);
  }

  /** A watch request is on its way: deltas wait for its snapshot. */
  begin(): void {
    this.buffered = [];
  }

  reset(snapshot: ProgressSnapshot): void {
    const reconnected = this.stream !== null;
    this.stream = snapshot.stream;
    this.seq = snapshot.seq;
    this.figures = {
      total: snapshot.total,
      bySchool: snapshot.bySchool,
      byClass: snapshot.byClass,
      pushed: snapshot.pushed,
    };
    this.messageState = snapshot.messageState;
    this.confirmation = snapshot.confirmation;
    this.escalated = snapshot.escalated;
    this.failures = snapshot.failures.slice(0, FAILURES_KEPT);
    this.failureCount = Math.max(this.failureCount, snapshot.failures.length);
    this.error = null;
    this.onUpdate();
    const waiting = this.buffered ?? [];
    this.buffered = null;
    for (const delta of waiting.sort((a, b) => a.seq - b.seq)) this.apply(delta);
    if (snapshot.failures.length > 0) this.notify(snapshot.failures);
    // What changed while the socket was away is only in the snapshot.
    if (reconnected && snapshot.confirmation) this.notifyAnswers();
  }

  refuse(error: SocketRefusal): void {
    this.buffered = null;
    this.error = error;
  }

  apply(delta: ProgressDelta): void {
    if (this.buffered) {
      this.buffered.push(delta);
      return;
    }
    if (delta.stream !== this.stream || delta.seq <= this.seq) return;
    this.seq = delta.seq;
    applyDelta(this.figures, delta);
    this.onUpdate();
    if (delta.messageState) this.messageState = delta.messageState;
    if (delta.confirmation && this.confirmation) {
      applyConfirmationDelta(this.confirmation, delta.confirmation);
    }
    if (delta.escalated) this.escalated = true;
    if (delta.confirmation || delta.escalated) this.notifyAnswers();
    if (delta.failures.length > 0) {
      this.failures = [...delta.failures, ...this.failures].slice(0, FAILURES_KEPT);
      this.failureCount += delta.failures.length;
      this.notify(delta.failures);
    }
  }

  private notify(failures: FailureNotice[]): void {
    for (const listener of this.failureListeners) listener(failures);
  }

  private notifyAnswers(): void {
    for (const listener of this.answerListeners) listener();
  }
}

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Now as an ISO string: only the string is kept, so no reactive Date is needed. */
function isoNow(): string {
  return new Date().toISOString();
}

/** Whether the figures move: not yet (or never, without JavaScript), live, or stopped. */
export type LiveStatus = 'connecting' | 'live' | 'offline';

/** The page's one socket: watched messages, marks, and whether it is connected. */
export class LiveClient {
  status: LiveStatus = $state('connecting');
  /** When the figures on the page were last read (ISO): the page's load, then the socket. */
  updatedAt: string = $state(isoNow());
  private socket: LiveSocket | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a registry, never rendered
  private readonly watches = new Map<number, MessageWatch>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a registry, never rendered
  private readonly markListeners = new Set<(event: CallListMarkEvent) => void>();

  /** Not known to be cut off (true while still connecting), as the call list reads it. */
  get connected(): boolean {
    return this.status !== 'offline';
  }

  /** The time of the page's load, when that is where the figures came from. */
  constructor(readAt?: string) {
    if (readAt) this.updatedAt = readAt;
  }

  /** Connects (in the browser, from onMount) and watches what was asked for so far. */
  start(): void {
    // WebSocket only: its handshake carries the Origin the server checks.
    const socket: LiveSocket = io({ transports: ['websocket'] });
    this.socket = socket;
    socket.on('connect', () => {
      this.status = 'live';
      for (const watch of this.watches.values()) this.request(socket, watch);
    });
    socket.on('disconnect', () => (this.status = 'offline'));
    socket.on('connect_error', () => (this.status = 'offline'));
    socket.on('progress:delta', (delta) => this.watches.get(delta.messageId)?.apply(delta));
    socket.on('callList:mark', (event) => {
      for (const listener of this.markListeners) listener(event);
    });
  }

  watch(messageId: number, seed?: WatchSeed): MessageWatch {
    let watch = this.watches.get(messageId);
    if (!watch) {
      watch = new MessageWatch(messageId, seed, () => {
        this.updatedAt = isoNow();
      });
      this.watches.set(messageId, watch);
      if (this.socket?.connected) this.request(this.socket, watch);
    }
    return watch;
  }

  onMark(listener: (event: CallListMarkEvent) => void): () => void {
    this.markListeners.add(listener);
    return () => this.markListeners.delete(listener);
  }

  /** Marks a call-list row; the event comes back to every open call list, this one included. */
  mark(
    messageId: number,
    householdId: number,
    mark: CallMark | null,
  ): Promise<{ ok: true; event: CallListMarkEvent } | { ok: false; error: SocketRefusal }> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve({ ok: false, error: 'unavailable' });
    return new Promise((resolve) => {
      socket
        .timeout(10_000)
        .emit('callList:mark', { messageId, householdId, mark }, (error, result) =>
          resolve(error ? { ok: false, error: 'unavailable' } : result),
        );
    });
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
    this.watches.clear();
    this.markListeners.clear();
  }

  private request(socket: LiveSocket, watch: MessageWatch): void {
    watch.begin();
    socket.emit('message:watch', { messageId: watch.messageId }, (result) => {
      if (result.ok) watch.reset(result.snapshot);
      else watch.refuse(result.error);
    });
  }
}
