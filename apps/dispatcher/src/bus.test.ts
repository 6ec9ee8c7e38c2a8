import { describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@renraku/shared/bus';
import { busWhenConnected } from './bus';

describe('busWhenConnected', () => {
  it('drops publishes while connecting, then passes everything through', async () => {
    let connect: (bus: Bus) => void = () => {};
    const bus = busWhenConnected(new Promise<Bus>((resolve) => (connect = resolve)));
    expect(bus.isUp()).toBe(false);
    await bus.publish('messageQueued', { messageId: 1 });
    const received: number[] = [];
    const subscribed = bus.subscribe('messageQueued', (event) => received.push(event.messageId));
    const inner = createInProcessBus();
    connect(inner);
    await subscribed;
    expect(bus.isUp()).toBe(true);
    await bus.publish('messageQueued', { messageId: 2 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).toEqual([2]);
    await bus.close();
  });

  it('never blocks a publish while Redis stays away', async () => {
    const bus = busWhenConnected(new Promise<Bus>(() => {}));
    await expect(bus.publish('messageQueued', { messageId: 3 })).resolves.toBeUndefined();
    await bus.close();
  });
});
