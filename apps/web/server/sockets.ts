import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import {
  scopeFilter,
  scopeRoom,
  scopesSeeing,
  socketCallListMarkSchema,
  socketWatchSchema,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@renraku/shared';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { SESSION_COOKIE } from '#auth/sessions';
import { authenticateStaffSession, type StaffPrincipal } from '#auth/staff';
import { markCallListRow } from '@renraku/core/call-list';
import { findMessageInScope } from '@renraku/db';
import type { WebContext } from './context';
import { messageRoom, startLiveBridge } from './live/bridge';
import { isAllowedOrigin } from './origin';

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
type LiveSocket = Parameters<Parameters<LiveServer['on']>[1]>[0];

/** One cookie's value from a Cookie header (the socket handshake has no cookie parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Socket.IO on the web's HTTP server, for staff only: a socket is accepted when its Origin is
 * this site's and its staff session cookie is live, and the server alone puts it in the room
 * of the user's scope. With Redis, the adapter lets every web process reach every socket.
 */
export async function attachSockets(
  ctx: WebContext,
  server: HttpServer,
): Promise<{ io: LiveServer; close(): Promise<void> }> {
  const io: LiveServer = new Server(server, { serveClient: false });

  const redisClients =
    ctx.bus.kind === 'redis' && ctx.env.redisUrl
      ? await connectAdapterClients(ctx, ctx.env.redisUrl)
      : undefined;
  if (redisClients) io.adapter(createAdapter(redisClients.pub, redisClients.sub));

  io.use((socket, next) => {
    if (!isAllowedOrigin(ctx.env.publicUrl, socket.request)) {
      next(new Error('origin not allowed'));
      return;
    }
    const token = readCookie(socket.request.headers.cookie, SESSION_COOKIE.staff);
    if (!token) {
      next(new Error('unauthorized'));
      return;
    }
    authenticateStaffSession(ctx, token, new Date()).then(
      (staff) => {
        if (!staff) return next(new Error('unauthorized'));
        socket.data.staff = staff;
        socket.data.sessionToken = token;
        next();
      },
      (error: unknown) => {
        ctx.logger.error({ err: error }, 'socket authentication failed');
        next(new Error('unavailable'));
      },
    );
  });

  const bridge = await startLiveBridge(ctx, (room, delta) =>
    io.local.to(room).emit('progress:delta', delta),
  );

  /** The staff member behind the socket now; a socket whose session ended is disconnected. */
  const liveStaff = async (socket: LiveSocket): Promise<StaffPrincipal | undefined> => {
    const staff = await authenticateStaffSession(ctx, socket.data.sessionToken, new Date());
    if (!staff) socket.disconnect(true);
    else socket.data.staff = staff;
    return staff;
  };

  io.on('connection', async (socket) => {
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

    await socket.join(scopeRoom(socket.data.staff.scope));
  });

  return {
    io,
    async close() {
      await bridge.close();
      await io.close();
      if (redisClients)
        await Promise.allSettled([redisClients.pub.quit(), redisClients.sub.quit()]);
    },
  };
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

async function connectAdapterClients(ctx: WebContext, url: string) {
  const pub = createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => Math.min(retries * 100, 2000) },
  });
  const sub = pub.duplicate();
  const onError = (error: Error) => ctx.logger.warn({ err: error }, 'socket.io redis adapter');
  pub.on('error', onError);
  sub.on('error', onError);
  await Promise.all([pub.connect(), sub.connect()]);
  return { pub, sub };
}
