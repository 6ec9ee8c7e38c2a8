import {
  scopeFilter,
  scopesSeeing,
  socketCallListMarkSchema,
  socketWatchSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@renraku/shared';
import type { Server, Socket } from 'socket.io';
import { markCallListRow } from '@renraku/core/call-list';
import { findMessageInScope } from '@renraku/db';
import type { StaffPrincipal } from '#auth/staff';
import type { WebContext } from '../context';
import { messageRoom, startLiveBridge } from './bridge';

// The server's one live module: the dashboards' and call lists' socket events (watch,
// unwatch, marks) and their room fan-out, beside the bridge that feeds the watched rooms.
// sockets.ts authenticates the socket and hands it here.

/** What the server keeps per socket; the client never sets it. */
export interface SocketData {
  staff: StaffPrincipal;
  /** The session cookie's token: each request re-checks that the session is still live. */
  sessionToken: string;
}

export type LiveServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

export type LiveSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

/** The staff member behind the socket now, or undefined once the session ended. */
export type LiveStaff = (socket: LiveSocket) => Promise<StaffPrincipal | undefined>;

export interface LiveModule {
  /** Registers the live events of a socket that passed authentication. */
  connect(socket: LiveSocket): void;
  close(): Promise<void>;
}

/** Starts the bridge and answers the live events of every socket connected to it. */
export async function startLive(
  ctx: WebContext,
  io: LiveServer,
  liveStaff: LiveStaff,
): Promise<LiveModule> {
  const bridge = await startLiveBridge(ctx, (room, delta) =>
    io.local.to(room).emit('progress:delta', delta),
  );

  function connect(socket: LiveSocket): void {
    socket.on('disconnect', () => bridge.forget(socket.id));
    const markAllowed = markBudget();

    socket.on('message:watch', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      const input = socketWatchSchema.safeParse(payload);
      if (!input.success) return ack({ ok: false, error: 'invalid' });
      try {
        const staff = await liveStaff(socket);
        if (!staff) return;
        const message = await findMessageInScope(
          ctx.db,
          input.data.messageId,
          scopeFilter(staff.scope),
        );
        if (!message) return ack({ ok: false, error: 'not_found' });
        const snapshot = await bridge.watch(socket, message.id, staff.scope);
        ack(snapshot === 'unavailable' ? { ok: false, error: snapshot } : { ok: true, snapshot });
      } catch (error) {
        ctx.logger.error({ err: error }, 'message:watch failed');
        ack({ ok: false, error: 'unavailable' });
      }
    });

    socket.on('message:unwatch', (payload) => {
      const input = socketWatchSchema.safeParse(payload);
      if (input.success) bridge.unwatch(socket, input.data.messageId);
    });

    socket.on('callList:mark', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!markAllowed()) return ack({ ok: false, error: 'rate_limited' });
      const input = socketCallListMarkSchema.safeParse(payload);
      if (!input.success) return ack({ ok: false, error: 'invalid' });
      try {
        const staff = await liveStaff(socket);
        if (!staff) return;
        const stored = await markCallListRow(ctx, staff, input.data);
        if (!stored) return ack({ ok: false, error: 'not_found' });
        // Through the adapter: every web process's open call lists of this household.
        const { messageId } = stored.event;
        const rooms = scopesSeeing(stored.districtId, stored.places).map((scope) =>
          messageRoom(messageId, scope),
        );
        io.to(rooms).emit('callList:mark', stored.event);
        ack({ ok: true, event: stored.event });
      } catch (error) {
        ctx.logger.error({ err: error }, 'callList:mark failed');
        ack({ ok: false, error: 'unavailable' });
      }
    });
  }

  return { connect, close: () => bridge.close() };
}

/** A person marks a few rows a second at most; more is a script, and is refused. */
const MARKS_PER_SECOND = 10;

/** A token bucket per socket: bursts up to MARKS_PER_SECOND, refilled at that rate. */
function markBudget(): () => boolean {
  let tokens = MARKS_PER_SECOND;
  let last = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(MARKS_PER_SECOND, tokens + ((now - last) * MARKS_PER_SECOND) / 1000);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}
