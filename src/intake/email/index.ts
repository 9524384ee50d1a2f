/** The pure parts of email intake: parsing, classification, reply splitting and threading. */
export { parseEmail, EmailParseError, type ParseLimits } from './parse.js';
export { isNoReplyAddress } from '../../mail/addresses.js';
export { classifyEmail, type ClassifiableEmail, type ClassifyOptions } from './auto-reply.js';
export { splitReply } from './quoted.js';
export { cleanSubject, decideThread, referencedMessageIds, subjectTicketNumber, type ThreadLookups, type TicketRef } from './thread.js';
export { normaliseMessageId, parseMessageIdList } from '../../mail/message-id.js';
export type { EmailHeaders, InboundEmail } from './types.js';
