import { EventEmitter } from 'node:events';
import { createClient } from 'redis';
import { busTopics, type ChannelPayloads } from './events';

export type Topic = keyof ChannelPayloads;
type Handler<T extends Topic> = (payload: ChannelPayloads[T]) => void;

/**
 * Fire-and-forget notifications between processes. PostgreSQL stays the source of truth:
 * a publish that fails is dropped, never retried, and never blocks sending.
 */
export interface Bus {
  readonly kind: 'redis' | 'in-process';
  publish<T extends Topic>(topic: T, payload: ChannelPayloads[T]): Promise<void>;
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): Promise<() => Promise<void>>;
  /** Whether the bus currently reaches its broker (always true in process). */
  isUp(): boolean;
  close(): Promise<void>;
}

/** The embedded default: one process, no Redis. */
export function createInProcessBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'in-process',
    publish(topic, payload) {
      // Asynchronous like Redis, so publishers never run subscriber code on their own stack.
      queueMicrotask(() => emitter.emit(topic, payload));
      return Promise.resolve();
    },
    subscribe(topic, handler) {
      const listener = (payload: ChannelPayloads[typeof topic]) => handler(payload);
      emitter.on(topic, listener);
      return Promise.resolve(() => {
        emitter.off(topic, listener);
        return Promise.resolve();
      });
    },
    isUp: () => true,
    close: () => Promise.resolve(),
  };
}

/**
 * Redis pub/sub; reconnects on its own and drops publishes while Redis is away. A payload that
 * does not match its topic's schema, or a handler that throws, is reported to `onError` (by
 * topic only, never the payload, which is not ours to log) and the subscriber goes on.
 */
export async function createRedisBus(
  url: string,
  onError: (error: Error) => void = () => {},
): Promise<Bus> {
  const options = {
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(retries * 100, 2000) },
  };
  const publisher = createClient(options);
  const subscriber = createClient(options);
  publisher.on('error', onError);
  subscriber.on('error', onError);
  await Promise.all([publisher.connect(), subscriber.connect()]);
  return {
    kind: 'redis',
    async publish(topic, payload) {
      if (!publisher.isReady) return;
      try {
        await publisher.publish(busTopics[topic].channel, JSON.stringify(payload));
      } catch (error) {
        onError(error as Error);
      }
    },
    async subscribe(topic, handler) {
      const { channel, schema } = busTopics[topic];
      const listener = (message: string) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          parsed = undefined;
        }
        const payload = schema.safeParse(parsed);
        if (!payload.success) {
          onError(new Error(`malformed ${topic} payload ignored`));
          return;
        }
        try {
          handler(payload.data as ChannelPayloads[typeof topic]);
        } catch (error) {
          onError(error as Error);
        }
      };
      await subscriber.subscribe(channel, listener);
      return async () => {
        await subscriber.unsubscribe(channel, listener);
      };
    },
    isUp: () => publisher.isReady && subscriber.isReady,
    async close() {
      // quit() would wait for a Redis that is down (forever): drop such a connection at once.
      await Promise.allSettled(
        [publisher, subscriber].map((client) =>
          client.isReady ? client.quit() : client.destroy(),
        ),
      );
    },
  };
}
