import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isListening } from '../support/ports';

// A private nginx for one test: deploy/nginx/renraku.conf as shipped, with only its ports,
// certificate, cache directory and upstream servers replaced, under a main configuration of
// the test's own (pid, logs and temporary files in a temporary directory). nginx runs in the
// foreground as a child of the test; the system's nginx, if any, is neither used nor touched.

const run = promisify(execFile);
const NGINX = '/usr/sbin/nginx';
const SITE_FILE = fileURLToPath(new URL('../../deploy/nginx/renraku.conf', import.meta.url));

/** One access-log line: who nginx saw, which web answered. */
export interface AccessLine {
  remoteAddr: string;
  upstream: string;
  status: number;
  uri: string;
}

export interface PrivateNginx {
  /** `https://127.0.0.1:<port>`, the site's PUBLIC_URL in the test. */
  origin: string;
  /** `http://127.0.0.1:<port>`: the plain-http server that sends everyone to https. */
  httpOrigin: string;
  /** The self-signed certificate the site serves, for the clients' `ca`. */
  certificate: string;
  accessLog(): Promise<AccessLine[]>;
  stop(): Promise<void>;
}

/** Replaces the one match of `pattern`; a sample that changed shape fails the test loudly. */
function replaceOne(text: string, pattern: RegExp, replacement: string): string {
  const matches = text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`));
  if (matches?.length !== 1) {
    throw new Error(
      `${SITE_FILE}: expected one match of ${pattern}, found ${matches?.length ?? 0}`,
    );
  }
  return text.replace(pattern, replacement);
}

/** The shipped site for the test's ports, certificate, cache and web processes. */
function renderSite(
  site: string,
  options: { httpPort: number; httpsPort: number; dir: string; webPorts: number[] },
): string {
  let text = site;
  text = replaceOne(text, /^\s*listen \[::\]:80;\n/m, '');
  text = replaceOne(text, /^\s*listen \[::\]:443 ssl http2;\n/m, '');
  text = replaceOne(text, /listen 80;/, `listen 127.0.0.1:${options.httpPort};`);
  text = replaceOne(
    text,
    /listen 443 ssl http2;/,
    `listen 127.0.0.1:${options.httpsPort} ssl http2;`,
  );
  text = replaceOne(text, /ssl_certificate +\S+;/, `ssl_certificate ${options.dir}/cert.pem;`);
  text = replaceOne(
    text,
    /ssl_certificate_key +\S+;/,
    `ssl_certificate_key ${options.dir}/key.pem;`,
  );
  text = replaceOne(text, /proxy_cache_path \S+/, `proxy_cache_path ${options.dir}/cache`);
  text = replaceOne(
    text,
    /(upstream renraku_web \{[^}]*?)(?:\s*server 127\.0\.0\.1:\d+;)+/,
    `$1${options.webPorts.map((port) => `\n    server 127.0.0.1:${port};`).join('')}`,
  );
  return text;
}

function mainConf(dir: string): string {
  return `# Written by tests/deploy/nginx.ts for one test run.
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 256; }
http {
  log_format upstreams '$remote_addr|$upstream_addr|$status|$request_uri';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/renraku.conf;
}
`;
}

/**
 * Makes a certificate for 127.0.0.1, renders the site, checks it with `nginx -t` and starts
 * nginx. Without nginx installed it throws: the deploy test must not pass by skipping.
 */
export async function startPrivateNginx(options: {
  httpPort: number;
  httpsPort: number;
  webPorts: number[];
}): Promise<PrivateNginx> {
  if (!existsSync(NGINX)) {
    throw new Error(
      `${NGINX} not found: install nginx (apt-get install -y nginx) to run this test`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'renraku-nginx-'));
  // nginx's worker (nobody, when the test runs as root) reads its temporary files here.
  await chmod(dir, 0o755);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  const site = renderSite(await readFile(SITE_FILE, 'utf8'), { ...options, dir });
  await writeFile(join(dir, 'renraku.conf'), site);
  await writeFile(join(dir, 'nginx.conf'), mainConf(dir));
  const args = ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')];
  await run(NGINX, [...args, '-t']);

  const child = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const errorLog = () => readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
  for (let tries = 0; !(await isListening(options.httpsPort)); tries++) {
    if (tries > 100 || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start:\n${stderr}\n${await errorLog()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin: `https://127.0.0.1:${options.httpsPort}`,
    httpOrigin: `http://127.0.0.1:${options.httpPort}`,
    certificate: await readFile(join(dir, 'cert.pem'), 'utf8'),
    async accessLog() {
      const text = await readFile(join(dir, 'access.log'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [remoteAddr = '', upstream = '', status = '0', uri = ''] = line.split('|');
          return { remoteAddr, upstream, status: Number(status), uri };
        });
    },
    async stop() {
      // SIGTERM: nginx's fast stop, which does not wait for open WebSockets.
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
