import {
  confirmationBreakdown,
  listMessageFailures,
  listReachedHouseholds,
  progressBreakdown,
  type ConfirmationCell,
} from '@renraku/db';
import {
  DELIVERY_STATES,
  FAILED_DELIVERY_STATES,
  type ConfirmationFigures,
  type CountCell,
  type FailureNotice,
  type MessageState,
  type ProgressDelta,
  type ProgressFigures,
  type ProgressSnapshot,
  type StaffScope,
  type StateCounts,
  scopeFilter,
  scopeRoom,
  sees,
} from '@renraku/shared';
import { randomToken } from '@renraku/shared/crypto';
import type { Socket } from 'socket.io';
import { failureNoticeOf } from '@renraku/core/live';
import {
  countOf,
  diffConfirmation,
  diffFigures,
  figuresOf,
  noFigures,
} from '@renraku/core/live/figures';
import { confirmationFiguresOf } from '@renraku/core/confirmation/figures';
import type { WebContext } from '../context';

// The bridge from the dispatchers' status channel to the dashboards.
//
// Protocol (one stream per web process, PostgreSQL as the only source of counts):
// - A bus 'messageChanged' or 'messageFinished' event only marks its message dirty; every
//   COALESCE_MS the bridge re-reads each dirty watched message's counts by (school, class,
//   state) from PostgreSQL, and sends each scope room the difference from its previous read
//   as one 'progress:delta' with the next `seq` of this process's stream, plus the failures
//   that appeared since. A delta is therefore exactly read(n) − read(n−1): nothing is lost or
//   counted twice, whatever the bus dropped, duplicated or reordered.
// - 'message:watch' is answered with a snapshot of the bridge's latest read and its `seq`,
//   computed and acknowledged in the same turn as the socket joins the room, so the next
//   delta it gets is seq + 1. Deltas go only to this process's sockets (io.local): with
//   several web processes each has its own stream, and a client that reconnects (possibly
//   to another process) watches again and starts over from the new snapshot.
// - While a message is open the bridge re-reads it every RESYNC_OPEN_MS even without bus
//   events (Redis down), and every RESYNC_DONE_MS once done (late bounces).
// - A message that asks for confirmation (安否確認) also has its answers read
//   (confirmationBreakdown) and carried the same way, in `confirmation`: in the snapshot, and
//   as read(n) − read(n−1) in a delta. Which households a mail reached (the whole of 未確認)
//   takes most of that read and moves only with the deliveries, so the bridge keeps it while
//   the delivery counts stand still, for at most RESYNC_DONE_MS (a parent's address change);
//   and the answers are re-read at most every CONFIRM_READ_MS while taps arrive: a read that
//   skips them leaves them due, and the tick reads them once the pace allows.

/** How often dirty messages are re-read: the dashboards' update rate (the spec allows 100–250 ms). */
export const COALESCE_MS = 100;
const RESYNC_OPEN_MS = 2_000;
/**
 * The pace of the answers' re-read during a burst of taps. On 30,000 households one read
 * takes 150–320 ms (bench/confirmation-figures.ts), so a shorter pace would re-read back to
 * back; 500 ms still shows the last tap within a second.
 */
export const CONFIRM_READ_MS = 500;
const RESYNC_DONE_MS = 15_000;
/** Failures a snapshot carries, and new failures one delta carries at most. */
const RECENT_FAILURES = 100;
const FAILURES_PER_READ = 500;

/** The parts of a Socket.IO socket the bridge uses. */
type LiveSocket = Pick<Socket, 'id' | 'connected' | 'join' | 'leave'>;

interface ScopeRoom {
  scope: StaffScope;
  sockets: Set<string>;
  figures: ProgressFigures;
  confirmation: ConfirmationFigures | null;
}

interface WatchedState {
  messageId: number;
  seq: number;
  cells: CountCell[];
  /** The answers' cells as last read; null for a message that asks none. */
  answers: ConfirmationCell[] | null;
  /** The answers may have changed since they were last read. */
  answersDue: boolean;
  lastAnswersRead: number;
  /** The households a mail reached, kept while the delivery counts (`key`) stand still. */
  reached: { households: number[]; key: string; at: number } | null;
  escalated: boolean;
  messageState: MessageState;
  failureIds: Set<number>;
  recentFailures: FailureNotice[];
  rooms: Map<string, ScopeRoom>;
  dirty: boolean;
  reading: boolean;
  lastRead: number;
  ready: Promise<void>;
}

/** The internal room of one message for one scope; never named by a client. */
export function messageRoom(messageId: number, scope: StaffScope): string {
  return `message:${messageId}:${scopeRoom(scope)}`;
}

function failureInScope(failure: FailureNotice, scope: StaffScope): boolean {
  // A watched message was already checked to be in the scope's district.
  const { schoolId, classId } = failure;
  return sees(scope, { districtId: scope.districtId, schoolId, classId });
}

function answersOf(state: WatchedState, scope: StaffScope): ConfirmationFigures | null {
  return state.answers && confirmationFiguresOf(state.answers, scopeFilter(scope));
}

/** What the socket layer needs from the bridge. */
export interface LiveBridge {
  watch(
    socket: LiveSocket,
    messageId: number,
    scope: StaffScope,
  ): Promise<ProgressSnapshot | 'unavailable'>;
  unwatch(socket: LiveSocket, messageId: number): void;
  /** A socket went away: drop it from every message it watched. */
  forget(socketId: string): void;
  close(): Promise<void>;
}

/**
 * Starts the bridge of one web process. `emitLocal` sends to the sockets of a room on this
 * process only (io.local), which keeps each client on one stream.
 */
export async function startLiveBridge(
  ctx: WebContext,
  emitLocal: (room: string, delta: ProgressDelta) => void,
): Promise<LiveBridge> {
  const stream = randomToken(6);
  const watched = new Map<number, WatchedState>();
  const socketsWatching = new Map<string, Set<number>>();

  async function readAnswerCells(
    state: WatchedState,
    deliveries: StateCounts,
    now: number,
  ): Promise<ConfirmationCell[]> {
    const key = DELIVERY_STATES.map((one) => deliveries[one] ?? 0).join(',');
    let kept = state.reached;
    if (!kept || kept.key !== key || now - kept.at >= RESYNC_DONE_MS) {
      kept = { households: await listReachedHouseholds(ctx.db, state.messageId), key, at: now };
      state.reached = kept;
    }
    return confirmationBreakdown(ctx.db, state.messageId, kept.households);
  }

  async function read(state: WatchedState): Promise<void> {
    const breakdown = await progressBreakdown(ctx.db, state.messageId);
    if (!breakdown) return;
    // Taken before the read, so that an answer stored while it runs makes the next one due.
    const answersAt = Date.now();
    const readAnswers = breakdown.confirms && answersAt - state.lastAnswersRead >= CONFIRM_READ_MS;
    const whole = figuresOf(breakdown.cells, {}).total;
    const answers = readAnswers ? await readAnswerCells(state, whole, answersAt) : null;
    const failedNow = countOf(whole, [...FAILED_DELIVERY_STATES]);
    let fresh: FailureNotice[] = [];
    if (failedNow > state.failureIds.size) {
      const first = state.lastRead === 0;
      const rows = await listMessageFailures(ctx.db, state.messageId, {
        seenIds: [...state.failureIds],
        // The first read learns every failure so far, so that none streams later as new.
        limit: first ? failedNow : FAILURES_PER_READ,
      });
      for (const row of rows) state.failureIds.add(row.deliveryId);
      fresh = rows.map(failureNoticeOf);
      if (!first && rows.length === FAILURES_PER_READ) state.dirty = true;
    }
    // From here on synchronous: the state, the seq and the emitted deltas change together.
    state.cells = breakdown.cells;
    if (answers) {
      state.answers = answers;
      state.lastAnswersRead = answersAt;
      state.answersDue = false;
    } else if (breakdown.confirms) {
      state.answersDue = true;
    }
    const stateChanged = state.messageState !== breakdown.messageState;
    state.messageState = breakdown.messageState;
    const escalated = breakdown.escalated && !state.escalated;
    state.escalated = breakdown.escalated;
    state.recentFailures = [...fresh, ...state.recentFailures].slice(0, RECENT_FAILURES);
    state.lastRead = Date.now();
    const deltas: {
      room: string;
      change: ProgressFigures | null;
      answers: ConfirmationFigures | null;
      failures: FailureNotice[];
    }[] = [];
    for (const [name, room] of state.rooms) {
      const next = figuresOf(state.cells, scopeFilter(room.scope));
      const change = diffFigures(room.figures, next);
      room.figures = next;
      let answersChange: ConfirmationFigures | null = null;
      if (answers) {
        const nextAnswers = answersOf(state, room.scope);
        answersChange =
          room.confirmation && nextAnswers && diffConfirmation(room.confirmation, nextAnswers);
        room.confirmation = nextAnswers;
      }
      const failures = fresh.filter((failure) => failureInScope(failure, room.scope));
      if (change || answersChange || failures.length > 0 || stateChanged || escalated) {
        deltas.push({ room: name, change, answers: answersChange, failures });
      }
    }
    if (deltas.length === 0) return;
    state.seq++;
    for (const { room, change, answers: answersChange, failures } of deltas) {
      emitLocal(room, {
        messageId: state.messageId,
        stream,
        seq: state.seq,
        ...(change ?? noFigures()),
        failures: failures.slice(0, RECENT_FAILURES),
        ...(stateChanged ? { messageState: state.messageState } : {}),
        ...(answersChange ? { confirmation: answersChange } : {}),
        ...(escalated ? { escalated: true as const } : {}),
      });
    }
  }

  function startRead(state: WatchedState): Promise<void> {
    state.dirty = false;
    state.reading = true;
    return read(state)
      .catch((error: unknown) => {
        // Tried again at the next resync, not at every tick while the database is away.
        if (state.lastRead !== 0) state.lastRead = Date.now();
        ctx.logger.warn({ err: error, messageId: state.messageId }, 'live progress read failed');
        throw error;
      })
      .finally(() => {
        state.reading = false;
      });
  }

  function track(messageId: number): WatchedState {
    let state = watched.get(messageId);
    if (!state) {
      const created: WatchedState = {
        messageId,
        seq: 0,
        cells: [],
        answers: null,
        answersDue: false,
        lastAnswersRead: 0,
        reached: null,
        escalated: false,
        messageState: 'queued',
        failureIds: new Set(),
        recentFailures: [],
        rooms: new Map(),
        dirty: false,
        reading: false,
        lastRead: 0,
        ready: Promise.resolve(),
      };
      created.ready = startRead(created);
      // A first read that failed is retried by the next watch, not left as a rejection.
      created.ready.catch(() => watched.delete(messageId));
      watched.set(messageId, created);
      state = created;
    }
    return state;
  }

  function leave(socket: LiveSocket | undefined, socketId: string, messageId: number): void {
    const state = watched.get(messageId);
    socketsWatching.get(socketId)?.delete(messageId);
    if (!state) return;
    for (const [name, room] of state.rooms) {
      if (!room.sockets.delete(socketId)) continue;
      void socket?.leave(name);
      if (room.sockets.size === 0) state.rooms.delete(name);
    }
    if (state.rooms.size === 0) watched.delete(messageId);
  }

  const tick = setInterval(() => {
    const now = Date.now();
    for (const state of watched.values()) {
      if (state.reading || state.lastRead === 0) continue;
      const open = state.messageState === 'queued' || state.messageState === 'sending';
      const resync = now - state.lastRead >= (open ? RESYNC_OPEN_MS : RESYNC_DONE_MS);
      const answersDue = state.answersDue && now - state.lastAnswersRead >= CONFIRM_READ_MS;
      if (state.dirty || resync || answersDue) void startRead(state).catch(() => {});
    }
  }, COALESCE_MS);

  const markDirty = ({ messageId }: { messageId: number }) => {
    const state = watched.get(messageId);
    if (state) state.dirty = true;
  };
  const unsubscribe: (() => Promise<void>)[] = [];
  for (const topic of ['messageChanged', 'messageFinished'] as const) {
    try {
      unsubscribe.push(await ctx.bus.subscribe(topic, markDirty));
    } catch (error) {
      // The periodic re-read keeps dashboards right without the bus, only less promptly.
      ctx.logger.warn({ err: error, topic }, 'live bridge cannot subscribe; re-reading only');
    }
  }

  const bridge: LiveBridge = {
    async watch(socket, messageId, scope) {
      const state = track(messageId);
      try {
        await state.ready;
      } catch {
        return 'unavailable';
      }
      if (!socket.connected) return 'unavailable';
      // Synchronous from here: the snapshot's seq is the last delta it contains.
      // Everyone left while it was read, and a new read may have started: join that one.
      if (watched.get(messageId) !== state) return bridge.watch(socket, messageId, scope);
      const name = messageRoom(messageId, scope);
      let room = state.rooms.get(name);
      if (!room) {
        room = {
          scope,
          sockets: new Set(),
          figures: figuresOf(state.cells, scopeFilter(scope)),
          confirmation: answersOf(state, scope),
        };
        state.rooms.set(name, room);
      }
      room.sockets.add(socket.id);
      let mine = socketsWatching.get(socket.id);
      if (!mine) socketsWatching.set(socket.id, (mine = new Set()));
      mine.add(messageId);
      void socket.join(name);
      return {
        messageId,
        stream,
        seq: state.seq,
        messageState: state.messageState,
        ...structuredClone(room.figures),
        failures: state.recentFailures.filter((failure) => failureInScope(failure, scope)),
        confirmation: structuredClone(room.confirmation),
        escalated: state.escalated,
      };
    },
    unwatch(socket, messageId) {
      leave(socket, socket.id, messageId);
    },
    forget(socketId) {
      for (const messageId of [...(socketsWatching.get(socketId) ?? [])]) {
        leave(undefined, socketId, messageId);
      }
      socketsWatching.delete(socketId);
    },
    async close() {
      clearInterval(tick);
      await Promise.allSettled(unsubscribe.map((stop) => stop()));
      watched.clear();
    },
  };
  return bridge;
}
