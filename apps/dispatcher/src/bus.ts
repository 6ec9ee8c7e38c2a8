import type { Bus } from '@renraku/shared/bus';

/**
 * A bus that can be used before Redis answers. createRedisBus waits for Redis, and a
 * dispatcher that starts during a Redis outage must send all the same: until Redis is up,
 * publishes are dropped (dashboards catch up from PostgreSQL) and subscriptions wait for it.
 */
export function busWhenConnected(connecting: Promise<Bus>): Bus {
  let connected: Bus | undefined;
  connecting.then(
    (bus) => (connected = bus),
    () => {},
  );
  return {
    kind: 'redis',
    publish: (topic, payload) => connected?.publish(topic, payload) ?? Promise.resolve(),
    subscribe: async (topic, handler) => (await connecting).subscribe(topic, handler),
    isUp: () => connected?.isUp() ?? false,
    close: async () => connected?.close(),
  };
}
