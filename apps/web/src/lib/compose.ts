// The compose form's 安否確認 fields as the page and the server share them; client-safe.

/** The compose form's 安否確認 fields as the page holds them (the server's ComposeValues'). */
export interface ConfirmFormValues {
  /** 「確認を求める」 as the server read it (the category's default while untouched). */
  confirm: boolean;
  /**
   * The box's state as shown ('on' | 'off') while the sender has not touched it, '' once
   * they have: an untouched box follows the category, even without JavaScript.
   */
  confirmDefault: string;
  /** 'ack' | 'safety' | 'custom'. */
  confirmPreset: string;
  /** The own choices' CONFIRM_CHOICES_MAX boxes as typed, empty ones included. */
  confirmChoices: string[];
  /** The boxes (1..CONFIRM_CHOICES_MAX) whose 「要電話」 is ticked. */
  confirmNeedsCall: number[];
  /** Minutes as typed ('' for the default). */
  confirmDeadline: string;
}

/** A fresh form's: the box shown as the category's default (ticked while none is chosen). */
export function freshConfirmValues(byDefault: boolean): ConfirmFormValues {
  return {
    confirm: byDefault,
    confirmDefault: byDefault ? 'on' : 'off',
    confirmPreset: 'ack',
    confirmChoices: [],
    confirmNeedsCall: [],
    confirmDeadline: '',
  };
}
