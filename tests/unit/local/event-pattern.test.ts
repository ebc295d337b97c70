import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  InvalidEventPattern,
  matchesPattern,
  type PatternDialect,
  parseEventPattern,
  RawJson,
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

/** event-ruler's reason for refusing a pattern, or null when it takes it. */
const reasonFor = (text: string, dialect: PatternDialect = 'eventbridge'): string | null => {
  try {
    parseEventPattern(text, { dialect });
    return null;
  } catch (error) {
    if (error instanceof InvalidEventPattern) return error.reason;
    throw error;
  }
};

const field = (matcher: string) => `{"a": [ ${matcher} ]}`;
const numeric = (terms: string) => `{"x": [{"numeric": ${terms}}]}`;
const cidr = (block: string) => field(`{"cidr": "${block}"}`);

/**
 * Validation, as PutRule answers: [source, pattern text, event-ruler's reason (a part of it) or null
 * when the pattern is valid]. Sources are aws/event-ruler's tests (src/test/software/amazon/event/ruler/)
 * and the EventBridge docs; the reasons are JsonRuleCompiler.java's and CIDR.java's messages.
 */
const validation: [string, string, string | null][] = [
  // JsonRuleCompilerTest.testCompile: structure
  ['JsonRuleCompilerTest: top level must be an object', '[1,2,3]', 'Filter is not an object'],
  ['JsonRuleCompilerTest: values must be in an array', '{"a":1}', '"a" must be an object or an array'],
  [
    'JsonRuleCompilerTest: array values must be primitives',
    '{"a":[ { "x":2 } ]}',
    'Unrecognized match type x',
  ],
  ['JsonRuleCompilerTest: objects must not be empty', '{ "foo": {}}', 'Empty objects are not allowed'],
  ['JsonRuleCompilerTest: arrays must not be empty', '{ "foo": []}', 'Empty arrays are not allowed'],
  ['JsonRuleCompilerTest: a number', '{"a":[1]}', null],
  // JsonRuleCompilerTest.testCompile: good match expressions
  ['JsonRuleCompilerTest: prefix', field('{ "prefix": "child" }'), null],
  ['JsonRuleCompilerTest: suffix', field('{ "suffix": "child" }'), null],
  ['JsonRuleCompilerTest: anything-but string', field('{ "anything-but": "child" }'), null],
  [
    'JsonRuleCompilerTest: anything-but strings',
    field('{ "anything-but": ["child0","child1","child2"] }'),
    null,
  ],
  ['JsonRuleCompilerTest: anything-but numbers', field('{ "anything-but": [111,222,333] }'), null],
  ['JsonRuleCompilerTest: anything-but number', field('{ "anything-but": 111 }'), null],
  ['JsonRuleCompilerTest: anything-but prefix', field('{ "anything-but": { "prefix": "foo" } }'), null],
  [
    'JsonRuleCompilerTest: anything-but prefixes',
    field('{ "anything-but": { "prefix": ["abc", "123"] } }'),
    null,
  ],
  ['JsonRuleCompilerTest: anything-but suffix', field('{ "anything-but": { "suffix": "foo" } }'), null],
  [
    'JsonRuleCompilerTest: anything-but suffixes',
    field('{ "anything-but": { "suffix": ["abc", "123"] } }'),
    null,
  ],
  [
    'JsonRuleCompilerTest: anything-but ignore case',
    field('{ "anything-but": {"equals-ignore-case": "rule" } }'),
    null,
  ],
  [
    'JsonRuleCompilerTest: anything-but ignore case ""',
    field('{ "anything-but": {"equals-ignore-case": "" } }'),
    null,
  ],
  [
    'JsonRuleCompilerTest: anything-but ignore case list',
    field('{ "anything-but": {"equals-ignore-case": ["abc", ""] } }'),
    null,
  ],
  [
    'JsonRuleCompilerTest: anything-but wildcard',
    field('{ "anything-but": { "wildcard": "foo*bar" } }'),
    null,
  ],
  ['JsonRuleCompilerTest: anything-but wildcard ""', field('{ "anything-but": { "wildcard": "" } }'), null],
  [
    'JsonRuleCompilerTest: anything-but wildcards',
    field('{ "anything-but": { "wildcard": ["foo*bar", "*foobar*"] } }'),
    null,
  ],
  ['JsonRuleCompilerTest: exactly', field('{ "exactly": "child" }'), null],
  ['JsonRuleCompilerTest: exists true', field('{ "exists": true }'), null],
  ['JsonRuleCompilerTest: exists false', field('{ "exists": false }'), null],
  ['JsonRuleCompilerTest: cidr', field('{ "cidr": "10.0.0.0/8" }'), null],
  ['JsonRuleCompilerTest: equals-ignore-case', field('{ "equals-ignore-case": "abc" }'), null],
  ['JsonRuleCompilerTest: wildcard', field('{ "wildcard": "a*b*c" }'), null],
  [
    'JsonRuleCompilerTest: prefix ignoring case',
    field('{ "prefix": { "equals-ignore-case": "child" } }'),
    null,
  ],
  [
    'JsonRuleCompilerTest: suffix ignoring case',
    field('{ "suffix": { "equals-ignore-case": "child" } }'),
    null,
  ],
  // JsonRuleCompilerTest.testCompile: badPatternTypes
  [
    'JsonRuleCompilerTest: exactly a number',
    field('{ "exactly": 33 }'),
    'exact match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: prefix and another key',
    field('{ "prefix": "child", "foo": [] }'),
    'Only one key allowed',
  ],
  [
    'JsonRuleCompilerTest: prefix a number',
    field('{ "prefix": 3 }'),
    'prefix match pattern must be a string',
  ],
  ['JsonRuleCompilerTest: prefix a broken list', field('{ "prefix": [1, 2 3] }'), 'not valid JSON'],
  [
    'JsonRuleCompilerTest: suffix and another key',
    field('{ "suffix": "child", "foo": [] }'),
    'Only one key allowed',
  ],
  [
    'JsonRuleCompilerTest: suffix a number',
    field('{ "suffix": 3 }'),
    'suffix match pattern must be a string',
  ],
  ['JsonRuleCompilerTest: unknown operator', field('{ "foo": "child" }'), 'Unrecognized match type foo'],
  ['JsonRuleCompilerTest: cidr not a CIDR', field('{ "cidr": "foo" }'), "Malformed CIDR, one '/' required"],
  [
    'JsonRuleCompilerTest: anything-but and another key',
    field('{ "anything-but": "child", "foo": [] }'),
    'Too many elements in numeric expression',
  ],
  [
    'JsonRuleCompilerTest: anything-but mixed list',
    field('{ "anything-but": ["child0",111,"child2"] }'),
    'either all values are number or string, mixed type is not supported',
  ],
  [
    'JsonRuleCompilerTest: anything-but prefix a number',
    field('{ "anything-but": { "prefix": 27 } }'),
    'prefix/suffix match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: anything-but prefix ""',
    field('{ "anything-but": { "prefix": "" } }'),
    'Null prefix/suffix',
  ],
  [
    'JsonRuleCompilerTest: anything-but prefix and another key',
    field('{ "anything-but": { "prefix": "foo", "a":1 } }'),
    'Too many elements',
  ],
  [
    'JsonRuleCompilerTest: anything-but and a key beside it',
    field('{ "anything-but": { "prefix": "foo" }, "x": 1 }'),
    'Too many elements',
  ],
  [
    'JsonRuleCompilerTest: anything-but prefixes with ""',
    field('{ "anything-but": { "prefix": ["1", ""] } }'),
    'Null prefix/suffix not allowed',
  ],
  [
    'JsonRuleCompilerTest: anything-but prefixes as numbers',
    field('{ "anything-but": { "prefix": [1, 2, 3] } }'),
    'prefix/suffix match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: anything-but suffix ""',
    field('{ "anything-but": { "suffix": "" } }'),
    'Null prefix/suffix',
  ],
  [
    'JsonRuleCompilerTest: anything-but suffixes as numbers',
    field('{ "anything-but": { "suffix": [1, 2, 3] } }'),
    'prefix/suffix match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: anything-but ignore case numbers',
    field('{ "anything-but": { "equals-ignore-case": [1, 2, 3] } }'),
    'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
  ],
  [
    'JsonRuleCompilerTest: anything-but wildcard a number',
    field('{ "anything-but": { "wildcard": 27 } }'),
    'wildcard match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: anything-but wildcard **',
    field('{ "anything-but": { "wildcard": "foo**bar" } }'),
    'Consecutive wildcard characters at pos 4',
  ],
  [
    'JsonRuleCompilerTest: anything-but wildcard ending in a backslash',
    field('{ "anything-but": { "wildcard": ["1", "foo*bar\\\\"] } }'),
    'Invalid escape character at pos 8',
  ],
  [
    'JsonRuleCompilerTest: anything-but wildcards with **',
    field('{ "anything-but": { "wildcard": ["1", "foo**bar"] } }'),
    'Consecutive wildcard characters',
  ],
  [
    'JsonRuleCompilerTest: equals-ignore-case a number',
    field('{ "equals-ignore-case": 5 }'),
    'equals-ignore-case match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: equals-ignore-case a list',
    field('{ "equals-ignore-case": [ "abc" ] }'),
    'equals-ignore-case match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: prefix with another expression',
    field('{ "prefix": { "invalid-expression": [ "abc" ] } }'),
    'Unsupported prefix pattern: invalid-expression',
  ],
  [
    'JsonRuleCompilerTest: prefix ignoring case a number',
    field('{ "prefix": { "equals-ignore-case": 5 } }'),
    'equals-ignore-case match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: prefix ignoring case and another key',
    field('{ "prefix": { "equals-ignore-case": "abc", "test": "def" } }'),
    'Only one key allowed in match expression',
  ],
  [
    'JsonRuleCompilerTest: prefix ignoring case and a key beside it',
    field('{ "prefix": { "equals-ignore-case": "abc" }, "test": "def" }'),
    'Only one key allowed in match expression',
  ],
  [
    'JsonRuleCompilerTest: suffix with another expression',
    field('{ "suffix": { "invalid-expression": [ "abc" ] } }'),
    'Unsupported suffix pattern: invalid-expression',
  ],
  [
    'JsonRuleCompilerTest: wildcard a number',
    field('{ "wildcard": 5 }'),
    'wildcard match pattern must be a string',
  ],
  [
    'JsonRuleCompilerTest: wildcard a list',
    field('{ "wildcard": [ "abc" ] }'),
    'wildcard match pattern must be a string',
  ],
  // JsonRuleCompilerTest.testWildcardConsecutiveWildcards / ByteMachine wildcard parsing (WildcardParser)
  [
    'JsonRuleCompilerTest: wildcard **',
    '{"key": [{"wildcard": "abc**def"}]}',
    'Consecutive wildcard characters at pos 4',
  ],
  ['WildcardParser: an escaped backslash', field('{ "wildcard": "a\\\\\\\\b" }'), null],
  ['WildcardParser: an escaped star, then a star', field('{ "wildcard": "a\\\\**b" }'), null],
  [
    'WildcardParser: a backslash before another letter',
    field('{ "wildcard": "a\\\\c" }'),
    'Invalid escape character at pos 2',
  ],
  // JsonRuleCompilerTest.testNumericExpressions: goods
  ...['=', '<', '>', '<=', '>='].flatMap((op): [string, string, null][] =>
    ['3.8', '0.000033', '-4e-6', '55555', '1E-320'].map((n) => [
      `JsonRuleCompilerTest: numeric ${op} ${n}`,
      numeric(`["${op}", ${n}]`),
      null,
    ]),
  ),
  ['JsonRuleCompilerTest: numeric > <', numeric('[">", 0, "<", 1]'), null],
  ['JsonRuleCompilerTest: numeric >= <=', numeric('[">=", 0, "<=", 1]'), null],
  // JsonRuleCompilerTest.testNumericExpressions: bads
  ['JsonRuleCompilerTest: numeric = true', numeric('["=", true]'), 'Value of equals must be numeric'],
  ['JsonRuleCompilerTest: numeric = 2.0e422', numeric('["=", 2.0e422]'), 'Cannot compare number : 2.0e422'],
  ['JsonRuleCompilerTest: numeric = a string', numeric('["=", "-4e-6"]'), 'Value of equals must be numeric'],
  ['JsonRuleCompilerTest: numeric = alone', numeric('["="]'), 'Value of equals must be numeric'],
  ['JsonRuleCompilerTest: numeric = 1E309', numeric('["=", 1E309]'), 'Cannot compare number : 1E309'],
  ['JsonRuleCompilerTest: numeric = 1E-325', numeric('["=", 1E-325]'), 'Cannot compare number : 1E-325'],
  ['JsonRuleCompilerTest: numeric < true', numeric('["<", true]'), 'Value of < must be numeric'],
  ['JsonRuleCompilerTest: numeric >= a string', numeric('[">=", "-4e-6"]'), 'Value of >= must be numeric'],
  ['JsonRuleCompilerTest: numeric <= alone', numeric('["<="]'), 'Value of <= must be numeric'],
  [
    'JsonRuleCompilerTest: numeric <>',
    numeric('["<>", 1, ">", 0]'),
    'Unrecognized numeric range operator: <>',
  ],
  [
    'JsonRuleCompilerTest: numeric ==',
    numeric('["==", 1, ">", 0]'),
    'Unrecognized numeric range operator: ==',
  ],
  [
    'JsonRuleCompilerTest: numeric < then >',
    numeric('["<", 1, ">", 0]'),
    'Too many elements in numeric expression',
  ],
  ['JsonRuleCompilerTest: numeric bottom = top', numeric('[">", 1, "<", 1]'), 'Bottom must be less than top'],
  [
    'JsonRuleCompilerTest: numeric bottom > top',
    numeric('[">", 30, "<", 1]'),
    'Bottom must be less than top',
  ],
  [
    'JsonRuleCompilerTest: numeric five terms',
    numeric('[">", 1, "<", 30, false]'),
    'Too many terms in numeric range',
  ],
  // the operator pairs JsonRuleCompiler.completeNumericRange takes, and what is beyond a double
  ['JsonRuleCompiler: numeric >= 5 <= 5', numeric('[">=", 5, "<=", 5]'), 'Bottom must be less than top'],
  ['JsonRuleCompiler: numeric > then >', numeric('[">", 0, ">", 5]'), 'Bad numeric range operator: >'],
  ['JsonRuleCompiler: numeric > then a number', numeric('[">", 0, 5]'), 'Bad value in numeric range: 5'],
  [
    'JsonRuleCompiler: numeric = then <',
    numeric('["=", 1, "<", 5]'),
    'Too many elements in numeric expression',
  ],
  ['JsonRuleCompiler: numeric empty', numeric('[]'), 'Invalid member in numeric match: ]'],
  ['JsonRuleCompiler: numeric a number first', numeric('[5]'), 'Invalid member in numeric match: 5'],
  ['JsonRuleCompiler: numeric not a list', numeric('5'), 'Value of numeric must be an array.'],
  [
    'JsonRuleCompiler: numeric and another key',
    '{"x": [{"numeric": [">", 0], "y": 1}]}',
    'Too many elements',
  ],
  ['ComparableNumber: 2^53 + 1 is not a double', numeric('["=", 9007199254740993]'), 'Cannot compare number'],
  ['ComparableNumber: 0.1 written too long', numeric('["<", 0.10000000000000001]'), 'Cannot compare number'],
  ['ComparableNumber: 2^53 is a double', numeric('["=", 9007199254740992]'), null],
  ['ComparableNumber (#188): beyond ±5e9 now', numeric('[">", -1e300, "<", 5e11]'), null],
  // JsonRuleCompilerTest.testExistsExpression
  [
    'JsonRuleCompilerTest: exists "badString"',
    field('{"exists": "badString"}'),
    'exists match pattern must be either true',
  ],
  [
    'JsonRuleCompilerTest: exists "= abc"',
    field('{"exists": "= abc"}'),
    'exists match pattern must be either true',
  ],
  [
    'JsonRuleCompilerTest: exists and another key',
    field('{"exists": true, "extraKey": "x"}'),
    'Only one key allowed',
  ],
  [
    'JsonRuleCompiler: exists null',
    field('{"exists": null}'),
    'exists match pattern must be either true or false.',
  ],
  // JsonRuleCompilerTest.testWrongOrRelationshipRules (src/test/data/wrongOrRelationshipRules.json)
  [
    'wrongOrRelationshipRules.json: one branch',
    '{"$or": [{ "metricName": [ "CPUUtilization", "ReadLatency" ] }]}',
    'There must have at least 2 Objects in $or relationship.',
  ],
  [
    'wrongOrRelationshipRules.json: an array as a branch',
    '{"detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["x"]}, [{"foo": ["wrong"]}]]}}',
    'Only JSON object is allowed in array of $or relationship.',
  ],
  // JsonRuleCompilerTest.testOrFieldCanKeepWorkingInLegacyRuleCompiler (normalRulesWithOrWording.json)
  [
    'normalRulesWithOrWording.json: an operator as a branch',
    '{"$or": [ { "cidr": "10.0.0.0/24" } ]}',
    'cidr is Ruler reserved fieldName which cannot be used inside $or.',
  ],
  [
    'normalRulesWithOrWording.json: $or as an object',
    '{"source": [ "aws.cloudwatch" ], "$or": {"metricType": [ "MetricType" ]}}',
    'It must be an Array followed with $or.',
  ],
  [
    'normalRulesWithOrWording.json: numeric as a branch',
    '{"detail": {"$or": [ { "numeric": [ ">", 0, "<=", 5 ] }, { "numeric": [ ">", 10 ] } ]}}',
    'numeric is Ruler reserved fieldName',
  ],
  // JsonRuleCompilerTest.testBasicFunctionOfOrRelationshipRules / testWithRuleOverride
  [
    'JsonRuleCompilerTest: nested $or',
    '{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}}',
    null,
  ],
  [
    'JsonRuleCompilerTest: a path given twice (the last wins)',
    '{"detail": {"eventSource": ["s3.amazonaws.com"], "eventSource": ["sns.amazonaws.com"]}}',
    null,
  ],
  // CIDRTest.SpotMalformedCIDRs
  ['CIDRTest: /33', cidr('192.168.0.1/33'), 'IPv4 mask bits must be < 32'],
  ['CIDRTest: foo', cidr('foo'), "Malformed CIDR, one '/' required"],
  ['CIDRTest: foo/bar/baz', cidr('foo/bar/baz'), "Malformed CIDR, one '/' required"],
  ['CIDRTest: mask not a number', cidr('192.168.0.1/foo'), 'Malformed CIDR, mask bits must be an integer'],
  ['CIDRTest: negative mask', cidr('192.168.0.1/-3424'), 'Malformed CIDR, mask bits must not be negative'],
  ['CIDRTest: a name', cidr('snorkle/3'), 'Nonstandard IP address: snorkle'],
  ['CIDRTest: five octets', cidr('10.10.10.10.10/3'), 'Nonstandard IP address: 10.10.10.10.10'],
  ['CIDRTest: a negative octet', cidr('2.1.0.-1/3'), 'Nonstandard IP address'],
  ['CIDRTest: ten IPv6 groups', cidr('2400:6500:3:3:3:3:3:3:3:3FF00::36FB:1F80/122'), 'Invalid IP address'],
  ['CIDRTest: IPv6 /222', cidr('2400:6500:FF00::36FB:1F80/222'), 'IPv6 mask bits must be < 128'],
  // CIDR.java: what else it refuses and takes
  ['CIDR.java: IPv4 /32 is refused', cidr('10.0.0.1/32'), 'IPv4 mask bits must be < 32'],
  ['CIDR.java: IPv6 /128 is refused', cidr('::1/128'), 'IPv6 mask bits must be < 128'],
  ['CIDR.java: an octet over 255', cidr('256.0.0.0/8'), 'Invalid IP address: 256.0.0.0'],
  ['CIDR.java: no mask', cidr('10.0.0.0'), "Malformed CIDR, one '/' required"],
  ['CIDR.java: a number', field('{"cidr": 10}'), 'prefix match pattern must be a string'],
  ['CIDRTest: IPv6 block', cidr('2400:6500:FF00::36FB:1F80/122'), null],
  ['CIDRTest: IPv6 /35', cidr('2600:1F14::/35'), null],
  ['CIDR.java: everything', cidr('0.0.0.0/0'), null],
  // EventBridge docs ("Event pattern syntax"; quotas) and JsonRuleCompiler's structure checks
  ['docs: not JSON', '{', 'not valid JSON'],
  ['docs: text after the pattern', '{"a": ["b"]} x', 'not valid JSON'],
  ['docs: a string pattern', '"aws.ec2"', 'Filter is not an object'],
  ['docs: an empty pattern', '{}', 'Empty objects are not allowed'],
  ['docs: a list inside the list', field('[1]'), 'Match value must be String, number, true, false, or null'],
  ['JsonRuleCompiler: an empty operator object', field('{}'), 'Match expression name not found'],
  [
    'JsonRuleCompiler: anything-but {}',
    field('{"anything-but": {}}'),
    'Anything-But expression name not found',
  ],
  [
    'JsonRuleCompiler: anything-but numeric',
    field('{"anything-but": {"numeric": [">", 1]}}'),
    'Unsupported anything-but',
  ],
  [
    'JsonRuleCompiler: anything-but null',
    field('{"anything-but": null}'),
    'Value of anything-but must be an array',
  ],
  [
    'JsonRuleCompiler: anything-but true',
    field('{"anything-but": true}'),
    'Value of anything-but must be an array',
  ],
  ['JsonRuleCompiler: anything-but []', field('{"anything-but": []}'), 'mixed type is not supported'],
  [
    'JsonRuleCompiler: anything-but [null]',
    field('{"anything-but": [null]}'),
    'start|null|boolean is not supported',
  ],
  [
    'JsonRuleCompiler: anything-but 2^53 + 1',
    field('{"anything-but": [9007199254740993]}'),
    'Cannot compare number',
  ],
  [
    'JsonRuleCompiler: anything-but prefix an object',
    field('{"anything-but": {"prefix": {"a": 1}}}'),
    'Value of anything-but must be an array or single string/number value.',
  ],
  [
    'JsonRuleCompiler: a reserved name inside $or',
    '{"$or": [{"prefix": ["a"]}, {"b": ["c"]}]}',
    'prefix is Ruler reserved',
  ],
  ['JsonRuleCompiler: $or a string', '{"$or": "x"}', 'It must be an Array followed with $or.'],
  ['JsonRuleCompiler: an empty prefix', field('{"prefix": ""}'), null],
  ['quotas: 2048 characters', `{"a": ["${'x'.repeat(2040)}"]}`, 'longer than 2048 characters'],
];

describe('parseEventPattern (validation ported from event-ruler)', () => {
  it.each(validation)('%s', (_source, text, expected) => {
    const reason = reasonFor(text);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toContain(expected);
  });

  it('rejects with the error PutRule answers', () => {
    expect(() => parseEventPattern('{"a": [{"numeric": [">", 5, "<", 5]}]}')).toThrow(
      expect.objectContaining({
        name: 'InvalidEventPatternException',
        message: 'Event pattern is not valid. Reason: Bottom must be less than top at "a"',
      }),
    );
  });

  it('returns the pattern parsed and frozen', () => {
    const pattern = parseEventPattern('{"detail": {"state": ["running"]}}');
    expect(pattern).toEqual({ detail: { state: ['running'] } });
    expect(Object.isFrozen(pattern.detail)).toBe(true);
  });
});

/**
 * Lambda's filter rule syntax ("Control which events Lambda sends to your function"): the operators it
 * lists, and no others; its errors are CreateEventSourceMapping's.
 */
const lambda: [string, string, string | null][] = [
  ['Lambda docs: null', '{"UserID": [null]}', null],
  ['Lambda docs: empty', '{"LastName": [""]}', null],
  ['Lambda docs: equals', '{"Name": ["Alice"]}', null],
  ['Lambda docs: equals (ignore case)', '{"Name": [{"equals-ignore-case": "alice"}]}', null],
  ['Lambda docs: or', '{"PaymentType": ["Credit", "Debit"]}', null],
  ['Lambda docs: or (multiple fields)', '{"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}', null],
  ['Lambda docs: not', '{"Weather": [{"anything-but": ["Raining"]}]}', null],
  ['Lambda docs: numeric (equals)', '{"Price": [{"numeric": ["=", 100]}]}', null],
  ['Lambda docs: numeric (range)', '{"Price": [{"numeric": [">", 10, "<=", 20]}]}', null],
  ['Lambda docs: exists', '{"ProductName": [{"exists": true}]}', null],
  ['Lambda docs: does not exist', '{"ProductName": [{"exists": false}]}', null],
  ['Lambda docs: begins with', '{"Region": [{"prefix": "us-"}]}', null],
  ['Lambda docs: ends with', '{"FileName": [{"suffix": ".png"}]}', null],
  [
    'Lambda docs: no wildcard',
    '{"FilePath": [{"wildcard": "*/lib/*"}]}',
    "wildcard is not in Lambda's filter rule syntax",
  ],
  ['Lambda docs: no cidr', '{"ip": [{"cidr": "10.0.0.0/24"}]}', "cidr is not in Lambda's filter rule syntax"],
  [
    'Lambda docs: no anything-but prefix',
    '{"Region": [{"anything-but": {"prefix": "us-"}}]}',
    'anything-but with prefix',
  ],
  [
    'Lambda docs: no prefix ignoring case',
    '{"s": [{"prefix": {"equals-ignore-case": "x"}}]}',
    'prefix with equals-ignore-case',
  ],
  ['Lambda API: 4096 characters', `{"a": ["${'x'.repeat(3000)}"]}`, null],
  ['Lambda API: over 4096 characters', `{"a": ["${'x'.repeat(4090)}"]}`, 'longer than 4096 characters'],
  [
    'Lambda: event-ruler checks still apply',
    '{"Price": [{"numeric": [">", 20, "<=", 10]}]}',
    'Bottom must be less',
  ],
];

describe('parseEventPattern (Lambda filter criteria)', () => {
  it.each(lambda)('%s', (_source, text, expected) => {
    const reason = reasonFor(text, 'lambda');
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toContain(expected);
  });

  it('rejects with the error CreateEventSourceMapping answers', () => {
    expect(() => parseEventPattern('{"a": [{"wildcard": "*"}]}', { dialect: 'lambda' })).toThrow(
      expect.objectContaining({ name: 'InvalidParameterValueException' }),
    );
  });

  it('compares exact numbers by their text, as Lambda documents (300 is not 300.0)', () => {
    const filter = parseEventPattern('{"a": [300]}', { dialect: 'lambda' });
    const rule = parseEventPattern('{"a": [300]}');

    expect(matchesPattern(filter, new RawJson('{"a": 300}'))).toBe(true);
    expect(matchesPattern(filter, new RawJson('{"a": 300.0}'))).toBe(false);
    expect(matchesPattern(rule, new RawJson('{"a": 300.0}'))).toBe(true);
  });
});
