import { describe, expect, it } from 'vitest';
import { bounceSeverity, rejectionSeverity, sendFailureSeverity } from './severity';

describe('bounceSeverity', () => {
  it('makes permanent failures hard, except those that say nothing against the address', () => {
    expect(bounceSeverity('5.1.1')).toBe('hard');
    expect(bounceSeverity('5.7.1')).toBe('hard');
    for (const status of ['5.2.2', '5.3.4', '5.4.7', '4.2.2', '4.4.1']) {
      expect(bounceSeverity(status)).toBe('soft');
    }
  });
});

describe('rejectionSeverity', () => {
  it('weighs a refusal that blames the recipient by its enhanced status code', () => {
    expect(rejectionSeverity(550, '550 5.1.1 <recipient>: User unknown')).toBe('hard');
    expect(rejectionSeverity(550, '550 5.1.2 Host unknown')).toBe('hard');
    expect(rejectionSeverity(550, '550 5.2.1 Mailbox disabled')).toBe('hard');
    expect(rejectionSeverity(552, '552 5.2.2 <recipient>: Mailbox full')).toBe('soft');
    // The enhanced code of any line counts; the first one wins.
    expect(rejectionSeverity(550, '550-5.2.2 The mailbox is full\n550 5.2.2 Try later')).toBe(
      'soft',
    );
  });

  it("counts nothing for a refusal that may be the relay's own policy", () => {
    // A misconfigured relay answers these to every recipient: no address may die of it.
    expect(rejectionSeverity(554, '554 5.7.1 <recipient>: Relay access denied')).toBeNull();
    expect(rejectionSeverity(530, '530 5.7.0 Authentication required')).toBeNull();
    expect(rejectionSeverity(550, '550 5.3.4 Message too big')).toBeNull();
    expect(rejectionSeverity(503, '503 5.5.1 Bad sequence of commands')).toBeNull();
    // Without an enhanced code nothing says whom the refusal blames.
    expect(rejectionSeverity(550, '550 <recipient>: Recipient address rejected')).toBeNull();
    // Numbers elsewhere in the text are no enhanced code (an IP address here).
    expect(rejectionSeverity(554, '554 Client host [10.1.1.1] blocked')).toBeNull();
  });

  it('counts nothing for anything but a refusal', () => {
    expect(rejectionSeverity(451, '451 4.2.2 Mailbox full, try later')).toBeNull();
    expect(rejectionSeverity(250, '250 2.0.0 Ok: queued')).toBeNull();
    expect(rejectionSeverity(null, 'ECONNECTION: connect ECONNREFUSED')).toBeNull();
  });
});

describe('sendFailureSeverity', () => {
  const failed = (code: number | null, text: string | null, attempted = true) =>
    sendFailureSeverity({ attempted, code, text });

  it('weighs a refusal as rejectionSeverity does', () => {
    expect(failed(550, '550 5.1.1 <recipient>: User unknown')).toBe('hard');
    expect(failed(552, '552 5.2.2 <recipient>: Mailbox full')).toBe('soft');
    expect(failed(554, '554 5.7.1 Relay access denied')).toBeNull();
    expect(failed(554, null)).toBeNull();
  });

  it('counts 4xx retries that ran out as one soft bounce when they blame the recipient', () => {
    expect(failed(452, '452 4.2.2 Mailbox full')).toBe('soft');
    expect(failed(450, '450 4.1.1 Mailbox unavailable')).toBe('soft');
    // The relay's own trouble, however long it lasted.
    expect(failed(451, '451 4.3.0 Try again later')).toBeNull();
    expect(failed(421, '421 4.4.2 Service shutting down')).toBeNull();
  });

  it('counts nothing when the relay never judged the recipient, or nothing was sent', () => {
    expect(failed(null, 'ECONNECTION: connection closed')).toBeNull();
    expect(failed(null, 'not sent: internal error')).toBeNull();
    expect(failed(null, 'address removed before sending', false)).toBeNull();
    expect(failed(550, '550 5.1.1 User unknown', false)).toBeNull();
  });
});
