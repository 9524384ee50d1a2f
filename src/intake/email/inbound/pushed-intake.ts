import type { EmailReader } from '../parse-pool.js';
import { quarantineEmail, receiveEmails, type WaitingEmail } from '../receive.js';
import type { MailboxRef, PushedPlace, ReceiveDeps, ReceiveOutcome } from '../receive-types.js';

/**
 * Mail pushed by an MTA, one message at a time, into the intake's one path (receive.ts): the same
 * classification, threading, caps, quarantine and filtered mail as a mailbox read by IMAP.
 *
 * Rounds form by themselves: a message that arrives while a round is being stored waits, and all
 * that waited go together into the next round. No timer: at low load each message is stored at once,
 * alone; under load the rounds grow, and one transaction carries many messages. Each message still
 * gets its own outcome, told once the round that stored it committed.
 */
export interface PushedIntake {
  /**
   * Resolves once what the message made is committed; rejects when it was not (the database away).
   * `envelopeTo`: the recipients the MTA named (RCPT TO), lower-cased.
   */
  deliver(raw: Buffer, envelopeTo: readonly string[]): Promise<ReceiveOutcome>;
  /** Waits for the rounds in flight and those queued behind them. */
  drain(): Promise<void>;
}

interface Queued {
  waiting: WaitingEmail;
  resolve(outcome: ReceiveOutcome): void;
  reject(err: unknown): void;
}

/**
 * `reader` is the parse pool (parse-pool.ts): where there are cores to spare it parses off the main
 * thread, so that parsing overlaps the store's round trips, and a message that makes the parser run
 * away ends a worker, not the event loop that must still answer every other message (and this one's
 * 451) in time.
 */
export function createPushedIntake(deps: ReceiveDeps, mailbox: MailboxRef, reader: Pick<EmailReader, 'readAll'>): PushedIntake {
  const place: PushedPlace = { kind: 'pushed', mailbox };
  let queue: Queued[] = [];
  let running: Promise<void> | null = null;
  // Pushed mail has no UID: its number in the round is its order of arrival (the planner's order).
  let arrivals = 0;

  const storeQueued = async (): Promise<void> => {
    while (queue.length > 0) {
      const round = queue;
      queue = [];
      const byUid = new Map(round.map((q) => [q.waiting.uid, q]));
      try {
        await receiveEmails(
          deps,
          place,
          round.map((q) => q.waiting),
          {
            onOutcome(uid, outcome) {
              byUid.get(uid)?.resolve(outcome);
              byUid.delete(uid);
            },
          },
        );
      } catch (err) {
        // The round is undone (the database away): every message of it not told yet is refused for now.
        for (const q of byUid.values()) q.reject(err);
        continue;
      }
      // receiveEmails tells every email it was given; one left untold is a bug, never a silent 250.
      for (const q of byUid.values()) q.reject(new Error('the intake gave no outcome for this message'));
    }
  };

  const kick = () => {
    running ??= storeQueued().finally(() => {
      running = null;
      if (queue.length > 0) kick();
    });
  };

  return {
    async deliver(raw, envelopeTo) {
      const [read = { ok: false, reason: 'unparsable: the reader gave nothing back' }] = await reader.readAll([{ raw }]);
      if (!read.ok) {
        // Kept, and answered 250 like IMAP's unreadable mail: a 5xx would bounce to the sender a
        // message nobody read, a 4xx would have the MTA offer the same bytes again and again; in
        // quarantine a person sees it (GET /api/quarantine) and a fixed parser can replay it.
        return quarantineEmail(deps, { mailbox, raw }, read.reason);
      }
      return new Promise<ReceiveOutcome>((resolve, reject) => {
        queue.push({ waiting: { uid: ++arrivals, raw, email: { ...read.email, envelopeTo: [...envelopeTo] } }, resolve, reject });
        kick();
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
