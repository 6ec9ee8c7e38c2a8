import { choiceLabels, type ConfirmRequest } from '@renraku/shared';
import { t, type Locale, type MessageKey } from './i18n';

// The buttons of a confirming message in the reader's language: 「確認しました」 and the preset
// 安否確認 set are ours to translate; a sender's own choices stay as they were typed.

const SAFETY_KEYS: readonly MessageKey[] = [
  'confirm.choice.safe',
  'confirm.choice.injured',
  'confirm.choice.canPickUp',
  'confirm.choice.cannotPickUp',
];

/** Every button's words, index = choice. */
export function choiceLabelsIn(request: ConfirmRequest, locale: Locale): string[] {
  return choiceLabels(request).map((typed, index) => {
    if (index === 0) return t(locale, 'confirm.choice.ack');
    const preset = request.preset === 'safety' ? SAFETY_KEYS[index - 1] : undefined;
    return preset ? t(locale, preset) : typed;
  });
}
