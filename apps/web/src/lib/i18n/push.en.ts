import type { pushJa } from './push.ja';

// English for every key of push.ja.ts; the type makes a missing key a compile error.
export const pushEn: Record<keyof typeof pushJa, string> = {
  'push.title': 'Notifications on this device',
  'push.lead':
    'Messages reach this device directly, even when mail is filtered as spam or arrives late.',
  'push.button': 'Notify this device',
  'push.needsJs':
    'Signing up for notifications needs JavaScript. Open this page in your phone’s browser (Chrome or Safari).',
  'push.unsupported':
    'This browser cannot receive notifications. Messages still reach you by mail as before.',
  'push.unsupportedIos':
    'On an iPhone or iPad, first add this page to the home screen, then open it from the home screen icon.',
  'push.unavailable': 'Notifications are not available at the moment. Messages reach you by mail.',
  'push.denied':
    'Notifications were not allowed. Allow notifications from this site in the device’s or browser’s settings.',
  'push.working': 'Signing up…',
  'push.subscribed': 'This device now receives notifications.',
  'push.failed': 'The device could not be signed up. Please try again later.',
  'push.devices': 'Devices that receive notifications',
  'push.devicesNone': 'No device yet.',
  'push.deviceAdded': 'added {date}',
  'push.deviceUnknown': 'Device',
  'push.remove': 'Remove',
  'push.removed': 'That device no longer receives notifications.',
  'push.installLink': 'How to add this site to the home screen',
  'push.subscribe.invalid': 'The notification sign-up is not valid. Reload the page and try again.',
  'push.subscribe.full':
    'At most {max} devices can receive notifications. Remove one you no longer use, then try again.',
  'push.remove.not_found': 'That device was not found. It has been removed already.',
  'push.channels.title': 'How messages reach you',
  'push.channels.educationMail': 'Also receive education news by mail',
  'push.channels.note':
    'Emergency contacts and emergency information always come by mail and by every notification, whatever this says.',
  'push.channels.save': 'Save',
  'push.channels.saved': 'Saved.',
  'install.title': 'Add to the home screen',
  'install.lead':
    'Added to the home screen, this site opens like an app and can notify you of messages. Nothing to install from an app store.',
  'install.android.title': 'Android (Chrome)',
  'install.android.step1': 'Open this site in Chrome and log in.',
  'install.android.step2':
    'Tap “⋮” (menu) at the top right, then “Add to Home screen” or “Install app”.',
  'install.android.step3':
    'Open it from the home screen icon, tap “Notify this device” and allow notifications.',
  'install.ios.title': 'iPhone and iPad (Safari, iOS 16.4 or later)',
  'install.ios.step1': 'Open this site in Safari.',
  'install.ios.step2': 'Tap the Share button (a square with an arrow) and “Add to Home Screen”.',
  'install.ios.step3':
    'Open it from the home screen icon, log in, tap “Notify this device” and allow notifications. (Safari itself cannot receive them.)',
  'install.mail': 'Without notifications, messages still reach you by mail as before.',
  'install.account': 'Open your account page',
};
