/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { t } from '$lib/i18n';
import {
  endsFamilySession,
  INBOX_CACHE,
  isCacheableInboxResponse,
  isInboxPath,
  notificationContent,
} from '$lib/pwa/worker-rules';

// The PWA's worker: Web Push notifications, the app shell and the parent's inbox offline
// (network first; the cache answers only when the network cannot). Every other request, staff
// pages above all, goes to the network untouched and is never stored.

const worker = self as unknown as ServiceWorkerGlobalScope;
const SHELL_CACHE = `renraku-shell-${version}`;
const SHELL = new Set([...build, ...files]);

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll([...SHELL]);
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL_CACHE && name !== INBOX_CACHE) await caches.delete(name);
      }
      await worker.clients.claim();
    })(),
  );
});

async function inboxFirstFromNetwork(request: Request): Promise<Response> {
  const cache = await caches.open(INBOX_CACHE);
  try {
    const response = await fetch(request);
    if (isCacheableInboxResponse(response, new URL(request.url))) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (request.method === 'POST') {
    if (endsFamilySession(url)) event.waitUntil(caches.delete(INBOX_CACHE));
    return;
  }
  if (request.method !== 'GET') return;
  if (SHELL.has(url.pathname)) {
    event.respondWith(
      (async () => (await caches.match(request, { cacheName: SHELL_CACHE })) ?? fetch(request))(),
    );
  } else if (isInboxPath(url.pathname)) {
    event.respondWith(inboxFirstFromNetwork(request));
  }
});

worker.addEventListener('push', (event) => {
  let payload: unknown;
  try {
    payload = event.data?.json();
  } catch {
    payload = undefined;
  }
  const content = notificationContent(payload, worker.location.origin, t('ja', 'app.name'));
  event.waitUntil(
    worker.registration.showNotification(content.title, {
      body: content.body,
      icon: '/icon-192.png',
      lang: 'ja',
      data: { url: content.url },
    }),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  const { url } = notificationContent(data, worker.location.origin, '');
  event.waitUntil(
    (async () => {
      const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => client.url === url);
      return open ? open.focus() : worker.clients.openWindow(url);
    })(),
  );
});
