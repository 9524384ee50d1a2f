/** The pure parts of email intake: parsing, classification, reply splitting and threading. */
export { parseEmail, EmailParseError, type EmailParseFailure, type ParseLimits } from './parse.js';
export { isNoReplyAddress } from '../../mail/addresses.js';
export { classifyEmail, type ClassifiableEmail, type ClassifyOptions, type EmailClass } from './auto-reply.js';
export { summariseReport, messageIdsInText, type RecipientStatus, type ReportSummary } from './report.js';
export { splitReply, type ReplyParts } from './quoted.js';
export {
  cleanSubject,
  decideThread,
  referencedMessageIds,
  subjectTicketNumber,
  type ThreadDecision,
  type ThreadLookups,
  type TicketRef,
} from './thread.js';
export { normaliseMessageId, parseMessageIdList, synthesizeMessageId } from '../../mail/message-id.js';
export type {
  Address,
  ClassifierHeader,
  EmailAttachment,
  EmailHeaders,
  EmailReport,
  InboundEmail,
  OmissionReason,
  OmittedAttachment,
  ReportPart,
} from './types.js';
