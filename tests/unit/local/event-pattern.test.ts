import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  matchesPattern,
  parseEventPattern,
} from '../../../local/eventbridge/event-pattern.ts';

/**
 * The examples of AWS's documentation ("Content filtering in Amazon EventBridge event patterns" and
 * "Comparison operators for use in event patterns"), each with events that must and must not match.
 */
const ec2 = (state: unknown, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state, ...extra },
});

const table: [string, EventPattern, unknown, boolean][] = [
  // exact values, AND across fields, OR within a field
  ['exact source', { source: ['aws.ec2'] }, ec2('running'), true],
  ['exact source, other', { source: ['aws.s3'] }, ec2('running'), false],
  ['OR within a field', { detail: { state: ['pending', 'running'] } }, ec2('running'), true],
  ['AND across fields', { source: ['aws.ec2'], detail: { state: ['stopped'] } }, ec2('running'), false],
  [
    'array in the event: any element',
    { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
    ec2('x'),
    true,
  ],
  ['number', { detail: { 'x-limit': [123] } }, ec2('x', { 'x-limit': 123 }), true],
  ['null matches null', { detail: { UserID: [null] } }, ec2('x', { UserID: null }), true],
  ['null does not match a missing field', { detail: { UserID: [null] } }, ec2('x'), false],
  ['empty string', { detail: { LastName: [''] } }, ec2('x', { LastName: '' }), true],
  ['boolean', { detail: { ok: [true] } }, ec2('x', { ok: false }), false],
  // prefix, suffix, ignore case
  ['prefix', { time: [{ prefix: '2017-12-22' }] }, ec2('x'), true],
  ['prefix, other', { time: [{ prefix: '2018' }] }, ec2('x'), false],
  [
    'prefix ignoring case',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    ec2('x', { service: 'eventbridge' }),
    true,
  ],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, ec2('x', { FileName: 'image.png' }), true],
  [
    'suffix ignoring case',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    ec2('x', { FileName: 'image.PNG' }),
    true,
  ],
  [
    'equals-ignore-case',
    { detail: { name: [{ 'equals-ignore-case': 'alice' }] } },
    ec2('x', { name: 'ALICE' }),
    true,
  ],
  // anything-but
  [
    'anything-but a string',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2('running'),
    true,
  ],
  [
    'anything-but, the excluded one',
    { detail: { state: [{ 'anything-but': 'initializing' }] } },
    ec2('initializing'),
    false,
  ],
  [
    'anything-but a number',
    { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    ec2('x', { 'x-limit': 456 }),
    true,
  ],
  [
    'anything-but a list',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    ec2('overloaded'),
    false,
  ],
  [
    'anything-but a list, other',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    ec2('running'),
    true,
  ],
  [
    'anything-but a prefix',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    ec2('initializing'),
    false,
  ],
  [
    'anything-but a suffix',
    { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    ec2('x', { FileName: 'a.txt' }),
    true,
  ],
  [
    'anything-but ignoring case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    ec2('STOPPED'),
    false,
  ],
  [
    'anything-but a wildcard',
    { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    ec2('x', { FilePath: '/usr/lib/a.so' }),
    false,
  ],
  ['anything-but on a missing field', { detail: { color: [{ 'anything-but': 'red' }] } }, ec2('x'), false],
  // numeric
  [
    'numeric range',
    { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    ec2('x', { 'c-count': 5 }),
    true,
  ],
  [
    'numeric range, outside',
    { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    ec2('x', { 'c-count': 6 }),
    false,
  ],
  [
    'numeric equals',
    { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } },
    ec2('x', { 'x-limit': 301.8 }),
    true,
  ],
  [
    'numeric on a string',
    { detail: { 'c-count': [{ numeric: ['>', 0] }] } },
    ec2('x', { 'c-count': '5' }),
    false,
  ],
  // exists
  ['exists true', { detail: { state: [{ exists: true }] } }, ec2('running'), true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, ec2('running'), false],
  ['exists false on a missing field', { detail: { color: [{ exists: false }] } }, ec2('x'), true],
  [
    'exists false under a missing object',
    { detail: { missing: { color: [{ exists: false }] } } },
    ec2('x'),
    true,
  ],
  // wildcard and cidr
  [
    'wildcard',
    { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    ec2('x', { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myBus' }),
    true,
  ],
  [
    'wildcard, other region',
    { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
    ec2('x', { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myBus' }),
    false,
  ],
  [
    'wildcard with an escaped star',
    { detail: { name: [{ wildcard: 'a\\*b' }] } },
    ec2('x', { name: 'a*b' }),
    true,
  ],
  [
    'cidr',
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    ec2('x', { 'source-ip': '10.0.0.255' }),
    true,
  ],
  [
    'cidr, outside',
    { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    ec2('x', { 'source-ip': '10.0.1.1' }),
    false,
  ],
  // $or
  [
    '$or, second branch',
    {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
      },
    },
    ec2('x', { 'c-count': 9, 'd-count': 3 }),
    true,
  ],
  [
    '$or, no branch',
    {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
      },
    },
    ec2('x', { 'c-count': 9, 'd-count': 30 }),
    false,
  ],
  [
    '$or at the top, with AND beside it',
    { source: ['aws.ec2'], $or: [{ region: ['eu-west-1'] }, { region: ['us-west-1'] }] },
    ec2('x'),
    true,
  ],
  // the hotline's own
  [
    'WorkOrder Closed',
    { source: ['hotline.work-orders'], 'detail-type': ['WorkOrder Closed'], detail: { anonymous: [false] } },
    { source: 'hotline.work-orders', 'detail-type': 'WorkOrder Closed', detail: { anonymous: false } },
    true,
  ],
];

describe('matchesPattern', () => {
  it.each(table)('%s', (_name, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

describe('parseEventPattern', () => {
  it('returns the patterns of the table', () => {
    for (const [, pattern] of table) expect(parseEventPattern(JSON.stringify(pattern))).toEqual(pattern);
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '["aws.ec2"]'],
    ['an empty pattern', '{}'],
    ['an empty list', '{"source": []}'],
    ['an unknown operator', '{"source": [{"contains": "x"}]}'],
    ['a bad numeric', '{"n": [{"numeric": [">", "x"]}]}'],
    ['exists not boolean', '{"n": [{"exists": "yes"}]}'],
    ['$or with one branch', '{"$or": [{"a": ["b"]}]}'],
    ['consecutive wildcards', '{"a": [{"wildcard": "a**b"}]}'],
    ['an object as a match value', '{"a": [[1]]}'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseEventPattern(text)).toThrow(/./);
  });
});
