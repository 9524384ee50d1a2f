/** The pure rules of routing: no I/O, no clock; time is always passed in. */
export {
  DEFAULT_PRIORITY_MATRIX,
  DEFAULT_PRIORITY_KEYWORDS,
  priorityOf,
  assessTicket,
  headerUrgency,
  cellFor,
  type PriorityMatrix,
  type PriorityKeywords,
  type PriorityHints,
  type Assessment,
  type AssessOptions,
} from './priority.js';
export {
  DEFAULT_CATEGORY_TABLE,
  guessCategory,
  scoreCategory,
  findCategory,
  requiredSkills,
  startingTier,
  type CategoryDefinition,
  type CategoryGuess,
} from './categorize.js';
export { alwaysOpen, isOpen, nextOpening, addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from './calendar.js';
export {
  DEFAULT_SLA_TARGETS,
  SLA_WARNING_RATIO,
  dueDates,
  elapsedBusinessMinutes,
  resolveByAfterPause,
  dueDateWithPauses,
  slaSchedule,
  slaState,
  type SlaTarget,
  type SlaTargets,
  type Pause,
  type DueDates,
  type SlaSchedule,
  type SlaInput,
  type SlaState,
} from './sla.js';
export {
  DEFAULT_LOAD_WEIGHTS,
  rankCandidates,
  summarizeDecision,
  type TicketForAssignment,
  type TechnicianSnapshot,
  type OpenLoad,
  type LoadWeights,
  type CandidateScore,
  type Candidate,
  type DecidedBy,
  type AssignmentDecision,
  type DecisionSummary,
} from './assignment.js';
export {
  DEFAULT_OFFER_TIMEOUTS,
  DEFAULT_REMINDER_RATIO,
  offerDeadlines,
  parseShift,
  onShift,
  nextShiftStart,
  type OfferTimeouts,
  type OfferDeadlines,
  type Shift,
} from './offers.js';
export { escalate, raisePriority, byPriorityThenAge, type Escalation, type QueuedTicket } from './escalation.js';
export { normalizeText } from './text.js';
