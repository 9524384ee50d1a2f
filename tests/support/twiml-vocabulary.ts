/**
 * The TwiML elements and attributes Twilio documents (twilio.com/docs/voice/twiml and
 * /docs/messaging/twiml), limited to what an IVR and an SMS reply could reasonably use. Tests hold every
 * document we answer against this table, so that a typo such as `numdigits` or an invented attribute
 * fails a test instead of being silently ignored by Twilio on a live call.
 */
export interface TwimlElement {
  readonly attributes: readonly string[];
  /** Elements that may appear inside this one. */
  readonly children: readonly string[];
  /** Whether the element carries text (what to say, a URL, a number). */
  readonly text: boolean;
}

export type TwimlVocabulary = Readonly<Record<string, TwimlElement>>;

const el = (attributes: readonly string[], children: readonly string[] = [], text = false): TwimlElement => ({
  attributes,
  children,
  text,
});

const SSML = ['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w'] as const;

const VOICE_VERBS = [
  'Say',
  'Play',
  'Pause',
  'Gather',
  'Record',
  'Dial',
  'Enqueue',
  'Leave',
  'Hangup',
  'Redirect',
  'Reject',
  'Sms',
] as const;

export const VOICE_TWIML: TwimlVocabulary = {
  Response: el([], VOICE_VERBS),
  Say: el(['voice', 'language', 'loop'], SSML, true),
  Play: el(['loop', 'digits'], [], true),
  Pause: el(['length']),
  Gather: el(
    [
      'action',
      'actionOnEmptyResult',
      'enhanced',
      'finishOnKey',
      'hints',
      'input',
      'language',
      'method',
      'numDigits',
      'partialResultCallback',
      'partialResultCallbackMethod',
      'profanityFilter',
      'speechModel',
      'speechTimeout',
      'timeout',
    ],
    ['Say', 'Play', 'Pause'],
  ),
  Record: el([
    'action',
    'finishOnKey',
    'maxLength',
    'method',
    'playBeep',
    'recordingStatusCallback',
    'recordingStatusCallbackEvent',
    'recordingStatusCallbackMethod',
    'timeout',
    'transcribe',
    'transcribeCallback',
    'trim',
  ]),
  Dial: el(
    [
      'action',
      'answerOnBridge',
      'callerId',
      'hangupOnStar',
      'method',
      'record',
      'recordingStatusCallback',
      'recordingStatusCallbackEvent',
      'recordingStatusCallbackMethod',
      'recordingTrack',
      'referMethod',
      'referUrl',
      'ringTone',
      'timeLimit',
      'timeout',
      'trim',
    ],
    ['Number', 'Client', 'Sip', 'Queue', 'Conference'],
    true,
  ),
  Number: el(
    [
      'sendDigits',
      'url',
      'method',
      'statusCallbackEvent',
      'statusCallback',
      'statusCallbackMethod',
      'byoc',
      'machineDetection',
      'machineDetectionTimeout',
      'machineDetectionSpeechThreshold',
      'machineDetectionSpeechEndThreshold',
      'machineDetectionSilenceTimeout',
      'amdStatusCallback',
      'amdStatusCallbackMethod',
    ],
    [],
    true,
  ),
  Client: el(['url', 'method', 'statusCallbackEvent', 'statusCallback', 'statusCallbackMethod'], ['Identity', 'Parameter'], true),
  Identity: el([], [], true),
  Parameter: el(['name', 'value']),
  Sip: el(['username', 'password', 'url', 'method', 'statusCallbackEvent', 'statusCallback', 'statusCallbackMethod'], [], true),
  Queue: el(['url', 'method', 'reservationSid', 'postWorkActivitySid'], [], true),
  Conference: el(
    [
      'muted',
      'beep',
      'startConferenceOnEnter',
      'endConferenceOnExit',
      'waitUrl',
      'waitMethod',
      'maxParticipants',
      'record',
      'region',
      'trim',
      'coach',
      'statusCallbackEvent',
      'statusCallback',
      'statusCallbackMethod',
      'recordingStatusCallback',
      'recordingStatusCallbackMethod',
      'recordingStatusCallbackEvent',
      'eventCallbackUrl',
      'jitterBufferSize',
      'participantLabel',
    ],
    [],
    true,
  ),
  Enqueue: el(['action', 'method', 'waitUrl', 'waitUrlMethod', 'workflowSid'], ['Task'], true),
  Task: el(['priority', 'timeout'], [], true),
  Leave: el([]),
  Hangup: el([]),
  Redirect: el(['method'], [], true),
  Reject: el(['reason']),
  Sms: el(['to', 'from', 'action', 'method', 'statusCallback'], [], true),
  break: el(['strength', 'time']),
  emphasis: el(['level'], SSML, true),
  lang: el(['xml:lang'], SSML, true),
  p: el([], SSML, true),
  phoneme: el(['alphabet', 'ph'], [], true),
  prosody: el(['rate', 'pitch', 'volume'], SSML, true),
  s: el([], SSML, true),
  'say-as': el(['interpret-as', 'format'], [], true),
  sub: el(['alias'], [], true),
  w: el(['role'], [], true),
};

export const MESSAGING_TWIML: TwimlVocabulary = {
  Response: el([], ['Message', 'Redirect']),
  Message: el(['to', 'from', 'action', 'method', 'statusCallback'], ['Body', 'Media'], true),
  Body: el([], [], true),
  Media: el([], [], true),
  Redirect: el(['method'], [], true),
};
