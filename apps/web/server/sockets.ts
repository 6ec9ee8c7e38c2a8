import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { scopeRoom } from '@renraku/shared';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { SESSION_COOKIE } from '#auth/sessions';
import { authenticateStaffSession, type StaffPrincipal } from '#auth/staff';
import type { WebContext } from './context';
import { startLive, type LiveServer, type LiveSocket } from './live';
import { isAllowedOrigin } from './origin';

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

  /** The staff member behind the socket now; a socket whose session ended is disconnected. */
  const liveStaff = async (socket: LiveSocket): Promise<StaffPrincipal | undefined> => {
    const staff = await authenticateStaffSession(ctx, socket.data.sessionToken, new Date());
    if (!staff) socket.disconnect(true);
    else socket.data.staff = staff;
    return staff;
  };

  const live = await startLive(ctx, io, liveStaff);

  io.on('connection', async (socket) => {
    live.connect(socket);
    await socket.join(scopeRoom(socket.data.staff.scope));
  });

  return {
    io,
    async close() {
      await live.close();
      await io.close();
      if (redisClients)
        await Promise.allSettled([redisClients.pub.quit(), redisClients.sub.quit()]);
    },
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
