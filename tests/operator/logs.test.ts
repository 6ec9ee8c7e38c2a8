import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInProcessBus } from '@renraku/shared/bus';
import { createLogger } from '@renraku/shared/logger';
import { startDispatcher } from '@renraku/dispatcher';
import { dispatcherEnv, keys, messageDone, waitFor } from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { startSendWorld, tokenFor, type SendWorld } from '../send/harness';

// JSON logs, one line per event: a search for a message id finds who sent it (staff id, request
// id) and what the dispatchers did with it, and no line holds a parent's address.

interface LogLine {
  msg: string;
  level: number;
  requestId?: string;
  staffId?: number;
  messageId?: number;
  [field: string]: unknown;
}

/** A pino destination that keeps every line. */
function capture() {
  const text: string[] = [];
  return {
    text,
    destination: { write: (line: string) => void text.push(line) },
    lines: () => text.map((line) => JSON.parse(line) as LogLine),
  };
}

const webLog = capture();
const dispatcherLog = capture();
let world: SendWorld;
let sink: Sink;

beforeAll(async () => {
  world = await startSendWorld({ logDestination: webLog.destination });
  sink = await startSink();
});

afterAll(async () => {
  await world?.close();
  await sink?.close();
});

it('answers "what happened to message N" from the web and dispatcher logs, without an address', async () => {
  const token = await tokenFor(world.db, world.staff.board.id);
  const response = await fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      // Not trusted without TRUST_PROXY: a client cannot pick the id its lines are filed under.
      'x-request-id': 'chosen-by-the-client',
    },
    body: JSON.stringify({
      category: 'emergency_contact',
      subject: '臨時休校',
      body: '本日は休校です。',
      target: { kind: 'classes', classIds: [world.classes.a11.id] },
      confirm: false,
    }),
  });
  expect(response.status).toBe(201);
  const { id: messageId } = (await response.json()) as { id: number };
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

  const dispatcher = await startDispatcher({
    env: dispatcherEnv(sink.url),
    db: world.db,
    bus: createInProcessBus(),
    keys,
    logger: createLogger('dispatcher-test', 'debug', dispatcherLog.destination),
  });
  try {
    await waitFor(() => messageDone(world.db, messageId));
  } finally {
    await dispatcher.stop();
  }

  const staffId = world.staff.board.id;
  const about = (lines: LogLine[]) => lines.filter((line) => line.messageId === messageId);
  // The message's line names the request; the request's lines say who, how and with what result.
  const sent = about(webLog.lines()).find((line) => line.msg === 'message sent');
  expect(sent).toMatchObject({ requestId, staffId, category: 'emergency_contact' });
  expect(webLog.lines().filter((line) => line.requestId === requestId)).toContainEqual(
    expect.objectContaining({
      msg: 'request',
      staffId,
      method: 'POST',
      route: '/api/v1/messages',
      status: 201,
    }),
  );
  // The request line is filed under the message too once a door has its id in the route.
  const progress = await fetch(`${world.base}/api/v1/messages/${messageId}/progress`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(progress.status).toBe(200);
  expect(about(webLog.lines())).toContainEqual(
    expect.objectContaining({
      msg: 'request',
      method: 'GET',
      route: '/api/v1/messages/[id]/progress',
      staffId,
    }),
  );
  expect(about(dispatcherLog.lines()).map((line) => line.msg)).toEqual(
    expect.arrayContaining(['sending message', 'message done']),
  );
  for (const text of [...webLog.text, ...dispatcherLog.text]) {
    expect(text).not.toMatch(/@example\.jp/);
  }
});
