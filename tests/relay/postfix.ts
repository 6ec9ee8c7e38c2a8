import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isListening } from '../support/ports';

// A private Postfix instance for one test: its own configuration, queue and log under a
// temporary directory, listening on 127.0.0.1 at a port of the test's choosing, relaying
// everything to the test's SMTP server and sending mail for MAIL_DOMAIN (the bounces and
// success notifications it writes itself) to the test's inbound server. The system's Postfix,
// if any, is neither used nor touched.

const run = promisify(execFile);
const POSTFIX = '/usr/sbin/postfix';

/** Where this Postfix listens and where it sends. */
export interface PostfixPorts {
  /** Its smtpd, for the dispatcher's SMTP_URL. */
  listen: number;
  /** The next hop for all other mail (the test relay that accepts or rejects). */
  relayhost: number;
  /** Where mail to `mailDomain` goes (the inbound server). */
  inbound: number;
  mailDomain: string;
}

export interface PrivatePostfix {
  url: string;
  /** The instance's own log, for a failing test's message. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

function mainCf(dir: string, ports: PostfixPorts): string {
  return `# Written by tests/relay/postfix.ts for one test run.
compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.${ports.mailDomain}
mydomain = ${ports.mailDomain}
myorigin = $mydomain
# Nothing is delivered locally: every domain leaves by SMTP.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_tls_security_level = none
smtp_tls_security_level = none
smtp_dns_support_level = disabled
relayhost = [127.0.0.1]:${ports.relayhost}
# Bounces and success notices go to the VERP return path: to the inbound server.
transport_maps = inline:{ ${ports.mailDomain}=smtp:[127.0.0.1]:${ports.inbound} }
# Problems of the mail system itself, not of one recipient, to the postmaster.
notify_classes = resource, software
`;
}

/** Every service with chroot off: the instance has no chroot tree of its own. */
const MASTER_CF = (port: number) => `127.0.0.1:${port} inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

/**
 * Writes the configuration, lets `postfix check` create the queue with the right owners and
 * starts the instance (as root, as Postfix requires); throws with the log when it does not
 * come up. Without Postfix installed it throws too: this test must not pass by skipping.
 */
export async function startPrivatePostfix(ports: PostfixPorts): Promise<PrivatePostfix> {
  if (!existsSync(POSTFIX)) {
    throw new Error(
      `${POSTFIX} not found: install Postfix (DEBIAN_FRONTEND=noninteractive apt-get install -y postfix) to run the relay test`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'renraku-postfix-'));
  // The postfix user must reach the queue and own the data directory.
  await chmod(dir, 0o755);
  const config = join(dir, 'etc');
  await Promise.all([mkdir(config), mkdir(join(dir, 'spool')), mkdir(join(dir, 'data'))]);
  const { stdout } = await run('id', ['-u', 'postfix']);
  await chown(join(dir, 'data'), Number(stdout.trim()), 0);
  await writeFile(join(config, 'main.cf'), mainCf(dir, ports));
  await writeFile(join(config, 'master.cf'), MASTER_CF(ports.listen));
  const log = () => readFile(join(dir, 'maillog'), 'utf8').catch(() => '(no log)');
  const stop = async () => {
    await run(POSTFIX, ['-c', config, 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(POSTFIX, ['-c', config, 'check']);
    await run(POSTFIX, ['-c', config, 'start']);
    for (let tries = 0; !(await isListening(ports.listen)); tries++) {
      if (tries > 100) throw new Error('smtpd is not listening');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    const text = await log();
    await stop();
    throw new Error(`private Postfix did not start: ${(error as Error).message}\n${text}`);
  }
  return { url: `smtp://127.0.0.1:${ports.listen}`, log, stop };
}
