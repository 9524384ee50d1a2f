import { describe, expect, it } from 'vitest';
import { parseApprovalCommand } from '../../../src/intake/twilio/approval-commands.js';

describe('parseApprovalCommand', () => {
  it.each([
    ['YES 1042', { kind: 'approve', ticketNumber: '1042' }],
    ['yes 1042', { kind: 'approve', ticketNumber: '1042' }],
    ['Yes, 1042', { kind: 'approve', ticketNumber: '1042' }],
    ['  oui   #1042  ', { kind: 'approve', ticketNumber: '1042' }],
    ['OUI HD-1042.', { kind: 'approve', ticketNumber: '1042' }],
    ['Oui n°0042', { kind: 'approve', ticketNumber: '42' }],
    ['NO 1042 not before the audit', { kind: 'reject', ticketNumber: '1042', comment: 'not before the audit' }],
    ['no hd1042: budget frozen', { kind: 'reject', ticketNumber: '1042', comment: 'budget frozen' }],
    ['Non 1042 pas de budget\ncette année', { kind: 'reject', ticketNumber: '1042', comment: 'pas de budget\ncette année' }],
    ['NO 1042', { kind: 'reason-missing', ticketNumber: '1042' }],
    ['non #1042 ', { kind: 'reason-missing', ticketNumber: '1042' }],
  ])('%j', (body, expected) => {
    expect(parseApprovalCommand(body)).toEqual(expected);
  });

  it.each([
    'yes',
    'YES please',
    'non merci',
    'no',
    'Yes 12 printers are down',
    'Oui 3 imprimantes en panne',
    'ACCEPT 1042',
    'NOTE 1042 yes',
    'YESS 1042',
    'NO twelve reasons',
    '',
    '   ',
  ])('%j is no answer to a request', (body) => {
    expect(parseApprovalCommand(body)).toBeNull();
  });
});
