import {
  defaultVapidSubject,
  generateVapidKeys as newKeyPair,
  vapidEnv,
} from '@renraku/shared/vapid';
import { parseCommandArgs, validated } from '../args';
import type { Command } from './types';

/**
 * A new Web Push key pair, as the three lines of an env file. Nothing is stored: the operator
 * puts them into the web's and the dispatcher's configuration. A new pair orphans every
 * browser's subscription, so this is for a first setup, not a routine.
 */
export const generateVapidKeys: Command = async (args, loadEnv) => {
  const options = parseCommandArgs('generate-vapid-keys', args, {
    subject: { type: 'string' },
  });
  const given =
    options.subject === undefined
      ? undefined
      : validated('generate-vapid-keys', vapidEnv.VAPID_SUBJECT, '--subject', options.subject);
  const subject = given ?? defaultVapidSubject(loadEnv().mailDomain);
  const keys = newKeyPair();
  process.stdout.write(
    `VAPID_PUBLIC_KEY=${keys.publicKey}\nVAPID_PRIVATE_KEY=${keys.privateKey}\nVAPID_SUBJECT=${subject}\n`,
  );
};
