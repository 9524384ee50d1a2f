import { describe, expect, it } from 'vitest';
import { guessLanguage, higherUrgency, urgencyFromHeaders } from '../../../src/intake/email/hints.js';

const raw = (headers: string[], body = 'body') => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`);

describe('urgencyFromHeaders', () => {
  it.each([
    [['X-Priority: 1 (Highest)'], 'high'],
    [['X-Priority: 2'], 'high'],
    [['X-Priority: 3 (Normal)'], null],
    [['X-Priority: 5 (Lowest)'], 'low'],
    [['Importance: High'], 'high'],
    [['importance: low'], 'low'],
    [['Priority: urgent'], 'high'],
    [['Priority: non-urgent'], 'low'],
    [['X-MSMail-Priority: High'], 'high'],
    [['Subject: X-Priority: 1'], null],
    [[], null],
  ])('%j → %s', (headers, expected) => {
    expect(urgencyFromHeaders(raw(['From: a@b.example', ...headers]))).toBe(expected);
  });

  it('ignores the body', () => {
    expect(urgencyFromHeaders(raw(['From: a@b.example'], 'X-Priority: 1'))).toBeNull();
  });
});

describe('higherUrgency', () => {
  it('keeps the higher of the sender’s flag and the mailbox’s default', () => {
    expect(higherUrgency('low', 'high')).toBe('high');
    expect(higherUrgency('high', 'medium')).toBe('high');
    expect(higherUrgency(null, 'medium')).toBe('medium');
    expect(higherUrgency('low', null)).toBe('low');
    expect(higherUrgency(null, null)).toBeUndefined();
  });
});

describe('guessLanguage', () => {
  it('believes Content-Language', () => {
    expect(guessLanguage(raw(['Content-Language: en-GB']), 'Bonjour, je ne peux pas imprimer.')).toBe('en');
  });
  it('tells French from English by their commonest words', () => {
    expect(guessLanguage(raw([]), "Bonjour, l'imprimante ne fonctionne plus depuis ce matin. Merci")).toBe('fr');
    expect(guessLanguage(raw([]), 'Hello, the printer is not working since this morning. Thanks')).toBe('en');
  });
  it('says nothing when it cannot tell', () => {
    expect(guessLanguage(raw([]), 'OK')).toBeNull();
    expect(guessLanguage(raw([]), 'Drucker kaputt, bitte helfen Sie mir.')).toBeNull();
  });
});
