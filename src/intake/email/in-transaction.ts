/**
 * Thrown when a use case found the email already stored after it had started writing (the same
 * email through a second mailbox, committed meanwhile): the caller undoes the whole transaction.
 */
export class Redelivered extends Error {
  constructor() {
    super('the email was stored meanwhile by another reader');
    this.name = 'Redelivered';
  }
}
