import { scrub } from '../../log.js';
import { isTransientError } from '../../store/unavailable.js';
import { AlreadyRecorded } from '../../tickets/open-ticket.js';
import type { EmailClass } from './auto-reply.js';
import { conversationGroups, spreadOnLanes } from './lanes.js';
import { loadLookups } from './lookups.js';
import { OVER_CAP, STORM_VIA, planRound, type Deferred, type Planned, type RoundPlan, type WaitingEmail } from './plan.js';
import type { MailboxRef, Place, ReceiveDeps, ReceiveInput, ReceiveOutcome } from './receive-types.js';
import { writeRound } from './write.js';

export type { ReceiveDeps, ReceiveInput, ReceiveOutcome } from './receive-types.js';
export type { WaitingEmail } from './plan.js';

export interface ReceiveOptions {
  /** Told of each email once the round that stored it committed. */
  onOutcome(uid: number, outcome: ReceiveOutcome): void;
  /** Throws when the caller must stop (a lost connection or lock): called before each round. */
  check?(): void;
}

/**
 * The email intake's one path: emails (one, or a backlog) → tickets, replies on tickets, bounces
 * recorded, or filtered mail. A round is one look at the store for all its emails (lookups.ts), what each
 * becomes (planRound, the rules), their claims on the mailbox's cursor, and what they write
 * (writeRound), in a transaction. An email that depends on another email of the round is deferred to
 * a following round of the same planner, which reads what the first wrote: a conversation that
 * depends on itself (a reply to an email of the same backlog that joined a ticket) is stored in a transaction of its own,
 * round after round, apart from the others, which go together.
 *
 * A round that fails for a reason a retry will not cure is split in two, and each half stored on
 * its own, until the one email the store refuses is alone: it is quarantined (kept raw, listed by GET
 * /api/quarantine) and the cursor moves on; one poison email never blocks the mail behind it.
 * Transient failures (the database away) throw, and the reader tries the same emails again later.
 */
export async function receiveEmails(
  deps: ReceiveDeps,
  place: Place,
  emails: readonly WaitingEmail[],
  options: ReceiveOptions,
): Promise<void> {
  const finished = new Set<number>();
  const finish = (uid: number, outcome: ReceiveOutcome) => {
    finished.add(uid);
    options.onOutcome(uid, outcome);
  };
  await storeSet({ deps, place, finished, finish, check: options.check ?? (() => {}) }, emails);
}

interface Receiving {
  deps: ReceiveDeps;
  place: Place;
  finished: Set<number>;
  finish(uid: number, outcome: ReceiveOutcome): void;
  check(): void;
}

/** A redelivery recorded by another reader meanwhile makes a round start again this many times at most. */
const REPLANS = 3;

async function storeSet(r: Receiving, emails: readonly WaitingEmail[]): Promise<void> {
  let later: WaitingEmail[][] = [];
  for (let replans = 0; ; replans++) {
    const pending = emails.filter((w) => !r.finished.has(w.uid));
    if (pending.length === 0) return;
    r.check();
    try {
      later = await round(r, pending);
      break;
    } catch (err) {
      if (err instanceof NotClaimed) {
        // Another reader had moved the cursor past them already: nothing of theirs is written.
        for (const uid of err.uids) r.finish(uid, { outcome: 'skipped' });
        continue;
      }
      // The same email came in through another mailbox meanwhile: the round is undone, and planned
      // again it finds that email stored (a duplicate).
      if (err instanceof AlreadyRecorded && replans < REPLANS) continue;
      if (isTransientError(err)) throw err;
      const [only] = pending;
      if (pending.length === 1 && only) return quarantineRefused(r, only, err);
      const half = Math.ceil(pending.length / 2);
      await storeSet(r, pending.slice(0, half));
      await storeSet(r, pending.slice(half));
      return;
    }
  }
  await onLanes(later, r.deps.settings.lanes, (unit) => storeSet(r, unit));
}

/**
 * One transaction: a round planned, claimed and written, then, while what is left depends only on
 * what it wrote (one unit), that unit's next round in the same transaction (it reads what the round
 * before wrote). Returns what is left in units to be stored apart, each in a transaction of its own.
 */
async function round(r: Receiving, pending: readonly WaitingEmail[]): Promise<WaitingEmail[][]> {
  const { deps, place } = r;
  const done = await deps.tickets.store.transaction(async (tx) => {
    const written: { planned: Planned; outcome: ReceiveOutcome }[] = [];
    for (let left: readonly WaitingEmail[] = pending; ;) {
      const now = new Date();
      const lookups = await loadLookups(tx, deps, left, now);
      const conversation = conversationOf(left);
      const plan = planRound(
        left.map((waiting) => ({ waiting, conversation: conversation.get(waiting.uid) ?? 0 })),
        lookups,
        deps.settings,
        now,
      );
      const { write, later, next } = split(plan);
      if (place.kind !== 'pushed') {
        const uids = write.map((p) => p.waiting.uid);
        const claimed = await tx.mailboxes.claimMany(place.mailbox.key, place.uidValidity, uids);
        if (claimed.size < uids.length) throw new NotClaimed(uids.filter((uid) => !claimed.has(uid)));
      }
      const outcomes = await writeRound(deps, tx, place, write, now);
      for (const planned of write) written.push({ planned, outcome: outcomes.get(planned.waiting.uid) ?? { outcome: 'duplicate' } });
      if (next.length === 0) return { written, later };
      left = next;
    }
  });
  // Told only now: what a transaction wrote exists once it committed.
  for (const { planned, outcome } of done.written) {
    logOutcome(deps, place, planned, outcome);
    r.finish(planned.waiting.uid, outcome);
  }
  return done.later;
}

/**
 * What a round writes and what it leaves. Without deferred emails: all of it. Otherwise the
 * conversations with a deferred email are held back, with any other that changes a ticket one of
 * them changes (their order on that ticket must stay the UIDs'), in units that share no ticket; the
 * others are written now, the units later, each on its own. When every conversation is held back,
 * one unit alone writes what was decided and plans the rest next (`next`), in the same transaction;
 * several units are each planned on their own.
 */
function split(plan: RoundPlan): { write: Planned[]; later: WaitingEmail[][]; next: WaitingEmail[] } {
  if (plan.deferred.length === 0) return { write: plan.taken, later: [], next: [] };
  const entries: (Planned | Deferred)[] = [...plan.taken, ...plan.deferred];
  const tickets = new Map<number, Set<string>>();
  for (const { conversation, touches } of entries) {
    const set = tickets.get(conversation) ?? new Set<string>();
    for (const id of touches) set.add(id);
    tickets.set(conversation, set);
  }
  const held = new Set(plan.deferred.map((d) => d.conversation));
  for (let grew = true; grew;) {
    grew = false;
    const heldTickets = new Set([...held].flatMap((c) => [...(tickets.get(c) ?? [])]));
    for (const [c, set] of tickets) {
      if (!held.has(c) && [...set].some((id) => heldTickets.has(id))) {
        held.add(c);
        grew = true;
      }
    }
  }
  const units = unitsOf(
    entries.filter((e) => held.has(e.conversation)),
    tickets,
  );
  const free = plan.taken.filter((p) => !held.has(p.conversation));
  if (free.length > 0) return { write: free, later: units, next: [] };
  if (units.length > 1) return { write: [], later: units, next: [] };
  return { write: plan.taken, later: [], next: plan.deferred.map((d) => d.waiting) };
}

/** The held conversations grouped by the tickets they share, each unit in UID order, units by their first UID. */
function unitsOf(entries: readonly (Planned | Deferred)[], tickets: ReadonlyMap<number, ReadonlySet<string>>): WaitingEmail[][] {
  const parent = new Map<number, number>();
  const find = (c: number): number => {
    let root = c;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(c, root);
    return root;
  };
  const owner = new Map<string, number>();
  for (const { conversation } of entries) {
    if (!parent.has(conversation)) parent.set(conversation, conversation);
    for (const id of tickets.get(conversation) ?? []) {
      const other = owner.get(id);
      if (other === undefined) owner.set(id, conversation);
      else parent.set(find(conversation), find(other));
    }
  }
  const units = new Map<number, WaitingEmail[]>();
  for (const { conversation, waiting } of entries) {
    const root = find(conversation);
    units.set(root, [...(units.get(root) ?? []), waiting]);
  }
  return [...units.values()].map((unit) => unit.sort((a, b) => a.uid - b.uid)).sort((a, b) => (a[0]?.uid ?? 0) - (b[0]?.uid ?? 0));
}

/** Each email's conversation in the round (lanes.ts: linked by sender, Message-IDs or ticket token), by UID. */
function conversationOf(emails: readonly WaitingEmail[]): Map<number, number> {
  const index = new Map<number, number>();
  conversationGroups(emails).forEach((group, i) => {
    for (const { uid } of group) index.set(uid, i);
  });
  return index;
}

/**
 * Units that share nothing (no sender, no Message-ID, no ticket) stored side by side, so that one's
 * round trips overlap another's work; the first lane to fail stops the others after their unit in
 * hand.
 */
async function onLanes(units: readonly WaitingEmail[][], lanes: number, store: (unit: WaitingEmail[]) => Promise<void>): Promise<void> {
  if (units.length === 0) return;
  const unitOf = new Map<number, WaitingEmail[]>();
  for (const unit of units) for (const waiting of unit) unitOf.set(waiting.uid, unit);
  // Each unit goes whole onto one lane (spreadOnLanes), its units in the order of their first UID.
  const queues = spreadOnLanes(units, lanes).map((lane) => [
    ...new Set(
      lane.flatMap((waiting) => {
        const unit = unitOf.get(waiting.uid);
        return unit ? [unit] : [];
      }),
    ),
  ]);
  const failures: unknown[] = [];
  await Promise.all(
    queues.map(async (queue) => {
      for (const unit of queue) {
        if (failures.length > 0) return;
        try {
          await store(unit);
        } catch (err) {
          failures.push(err);
        }
      }
    }),
  );
  if (failures.length > 0) throw failures[0];
}

/** Some emails of a round were claimed by another reader: the round is undone and planned again without them. */
class NotClaimed extends Error {
  constructor(readonly uids: number[]) {
    super('emails of the round were claimed by another reader');
    this.name = 'NotClaimed';
  }
}

async function quarantineRefused(r: Receiving, waiting: WaitingEmail, err: unknown): Promise<void> {
  const { deps, place } = r;
  deps.log.error({ mailbox: place.mailbox.key, uid: waiting.uid, err: scrub(String(err)) }, 'an email could not be stored: quarantined');
  const input: ReceiveInput = {
    mailbox: place.mailbox,
    ...(place.kind === 'pushed' ? {} : { position: { uid: waiting.uid, uidValidity: place.uidValidity } }),
    raw: waiting.raw,
  };
  r.finish(waiting.uid, await quarantineEmail(deps, input, `could not be stored: ${err instanceof Error ? err.message : String(err)}`));
}

/** Quarantine row and cursor, together. A quarantine that fails for want of a database throws (retried later). */
export async function quarantineEmail(deps: ReceiveDeps, input: ReceiveInput, reason: string): Promise<ReceiveOutcome> {
  const outcome = await deps.tickets.store.transaction(async (tx) => {
    if (input.position) {
      const claimed = await tx.mailboxes.claimMany(input.mailbox.key, input.position.uidValidity, [input.position.uid]);
      if (!claimed.has(input.position.uid)) return { outcome: 'skipped' } as const;
    }
    await tx.mailboxes.quarantine({ mailbox: input.mailbox.key, uid: input.position?.uid ?? null, reason, raw: input.raw });
    return { outcome: 'quarantined', reason } as const;
  });
  if (outcome.outcome === 'quarantined') {
    deps.log.warn({ mailbox: input.mailbox.key, uid: input.position?.uid, reason: scrub(reason) }, 'email quarantined');
  }
  return outcome;
}

/** What the logs say of an email once stored: machine mail and drops, and the storm caps, without addresses. */
function logOutcome(deps: Pick<ReceiveDeps, 'log' | 'settings'>, place: Place, planned: Planned, outcome: ReceiveOutcome): void {
  const uid = planned.waiting.uid;
  const { step } = planned;
  if ((step.action === 'append' && step.item.via === STORM_VIA) || (step.action === 'filter' && step.reason === OVER_CAP)) {
    deps.log.warn(
      { mailbox: place.mailbox.key, cap: deps.settings.caps.senderMessages },
      'a sender is over the storm cap: its email opens no ticket',
    );
  } else if (outcome.outcome === 'reply' && outcome.capped) {
    deps.log.warn({ mailbox: place.mailbox.key, ticketId: outcome.ticketId }, 'storm cap reached: the email is recorded, nobody is told');
  }
  logMachineMail(deps, { mailbox: place.mailbox, uid }, planned.kind, outcome);
}

/** Machine mail is never answered: says what became of it (and of a filtered email), without addresses. */
function logMachineMail(
  deps: Pick<ReceiveDeps, 'log'>,
  where: { mailbox: MailboxRef; uid: number | undefined },
  kind: EmailClass,
  outcome: ReceiveOutcome,
): void {
  if (kind.kind === 'human' && outcome.outcome !== 'filtered') return;
  const why = kind.kind === 'human' ? (outcome.outcome === 'filtered' ? outcome.reason : undefined) : kind.reason;
  deps.log.info(
    { mailbox: where.mailbox.key, uid: where.uid, class: kind.kind, outcome: outcome.outcome, why: why && scrub(why) },
    outcome.outcome === 'filtered' ? 'email filtered' : 'automatic email recorded',
  );
}
