import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  INITIAL_STATE,
  callInput,
  decodeState,
  encodeState,
  parseVoiceHook,
  voiceUrl,
  type CallState,
} from '../../../src/intake/twilio/ivr-state.js';
import { MESSAGING_TWIML } from '../../support/twiml-vocabulary.js';
import { twimlProblems } from './twiml.js';

describe('call state in the URL', () => {
  it('survives a round trip through a URL', () => {
    const states: CallState[] = [
      { stage: 'menu', lang: 'fr', attempts: 2, ticket: null },
      { stage: 'voicemail', lang: 'en', attempts: 0, ticket: '1042' },
      { stage: 'describe', lang: null, attempts: 1, ticket: null },
    ];
    for (const state of states) {
      const url = new URL(voiceUrl('step', state), 'https://desk.example.com');
      expect(decodeState(url.searchParams)).toEqual(state);
      expect(decodeState(Object.fromEntries(url.searchParams))).toEqual(state);
    }
    expect(encodeState({ stage: 'check', lang: 'fr', attempts: 0, ticket: null })).toBe('stage=check&attempts=0&lang=fr');
  });

  it('falls back to the start of a call on anything unexpected', () => {
    expect(decodeState(undefined)).toEqual(INITIAL_STATE);
    expect(decodeState({})).toEqual(INITIAL_STATE);
    expect(decodeState({ stage: 'admin' })).toEqual(INITIAL_STATE);
    expect(decodeState({ stage: ['menu', 'menu'] })).toEqual(INITIAL_STATE);
    expect(decodeState({ stage: 'menu', lang: 'de', attempts: '-4', ticket: '12a' })).toEqual({
      stage: 'menu',
      lang: null,
      attempts: 0,
      ticket: null,
    });
  });

  it('names the hook of each voice path', () => {
    expect(parseVoiceHook(undefined)).toBe('start');
    expect(parseVoiceHook('status')).toBe('call-status');
    expect(parseVoiceHook('step')).toBe('step');
    expect(parseVoiceHook('recording')).toBe('recording');
    expect(parseVoiceHook('nope')).toBeNull();
  });

  it('reads only string fields of the form', () => {
    const input = callInput('step', { CallSid: 'CA1', Digits: '1', SpeechResult: ['a', 'b'], Extra: 'x' });
    expect(input).toEqual({ hook: 'step', CallSid: 'CA1', Digits: '1' });
  });
});

describe('TwiML vocabulary check', () => {
  it('flags undocumented verbs, attributes, nesting and broken XML', () => {
    expect(twimlProblems('<Response><Say voice="Polly.Lea">ok</Say></Response>')).toEqual([]);
    expect(twimlProblems('<Response><Speak>x</Speak></Response>')).toContain('Response/Speak: <Speak> is not a documented element');
    expect(twimlProblems('<Response><Gather numdigits="1"/></Response>')[0]).toContain('numdigits');
    expect(twimlProblems('<Response><Say><Gather/></Say></Response>')[0]).toContain('<Gather> may not be inside <Say>');
    expect(twimlProblems('<Response><Hangup>now</Hangup></Response>')[0]).toContain('takes no text');
    expect(twimlProblems('<Response><Say>')[0]).toMatch(/^not XML/);
    expect(twimlProblems('<Say>hello</Say>')[0]).toContain('not <Response>');
  });

  it('knows messaging TwiML too', () => {
    const reply = new twilio.twiml.MessagingResponse();
    reply.message('Ticket HD-1042 updated.');
    expect(twimlProblems(reply.toString(), MESSAGING_TWIML)).toEqual([]);
  });
});
