import { describe, expect, it } from 'vitest';
import { matchesPattern, parseEventPattern, RawJson } from '../../../local/eventbridge/event-pattern.ts';

/**
 * Matching, ported from aws/event-ruler's tests (src/test/software/amazon/event/ruler/: RulerTest,
 * ACMachineTest, JsonRuleCompilerTest, ComparableNumberTest, ByteMachineTest, CIDRTest): each row is a
 * rule, an event (JSON text, so that numbers keep the text they are written with) and whether
 * Ruler.matchesRule / Machine.rulesForJSONEvent finds the rule.
 */
const matches = (pattern: string, event: string) =>
  matchesPattern(parseEventPattern(pattern), new RawJson(event));

// RulerTest.JSON_FROM_README (keys with dots in them match rules with dots in them)
const README = `{
  "version": "0", "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "012345679012", "time": "2017-10-02T16:24:49Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:012345679012:instance/i-000000aaaaaa00000"],
  "detail": { "c.count": 5, "d.count": 3, "x.limit": 301.8, "source-ip": "10.0.0.33",
              "instance-id": "i-000000aaaaaa00000", "state": "running" }
}`;

// RulerTest.JSON_FROM_RFC
const RFC = `{ "Image": { "Width": 800, "Height": 600, "Title": "View from 15th Floor",
  "Thumbnail": { "Url": "http://www.example.com/image/481989943", "Height": 125, "Width": 100 },
  "Animated": false, "IDs": [116, 943, 234, 38793] } }`;

// RulerTest.JSON_WITH_COMPLEX_ARRAYS (arrays of arrays, an empty array)
const ARRAYS = `{ "employees": [
  [ { "firstName": "John", "lastName": "Doe", "ids": [1234, 1000, 9999] },
    { "firstName": "Anna", "lastName": "Smith" } ],
  [ { "firstName": "Peter", "lastName": "Jones", "ids": [] } ] ] }`;

// RulerTest.WHEN_WeTryAnythingButRules_THEN_Theywork
const ANYTHING_BUT = `{
  "a": [ { "anything-but": [ "dad0","dad1","dad2" ] } ],
  "b": [ { "anything-but": [ 111, 222, 333 ] } ],
  "c": [ { "anything-but": "zdd" } ],
  "d": [ { "anything-but": 444 } ],
  "z": [ { "numeric": [ ">", 0, "<", 1 ] } ],
  "w": [ { "anything-but": { "prefix": "zax" } } ],
  "n": [ { "anything-but": { "suffix": "ing" } } ],
  "o": [ { "anything-but": {"equals-ignore-case": "CamelCase" } } ],
  "p": [ { "anything-but": {"equals-ignore-case": ["CamelCase", "AbC"] } } ] }`;
const anythingButEvent = (changes: Record<string, unknown>) =>
  JSON.stringify({
    a: 'child1',
    b: '444',
    c: 'child1',
    d: 123,
    w: 'xaz',
    z: 0.001,
    n: 'no',
    o: 'no',
    p: 'no',
    ...changes,
  });

// ACMachineTest.testACWithExistFalseRule (shortened)
const TASKS = (secondInterface: boolean) => `{ "requestContext": { "taskInstances": [
  { "taskInstanceState": "ACTIVE", "provider": { "id": "X" },
    "resources": [ { "legacyFocusCategory": "F" ${secondInterface ? ', "additionalContext": { "capabilityInterfaces": [ { "interfaceName": "Y" } ] }' : ''} } ] },
  { "taskInstanceState": "InACTIVE", "provider": { "id": "SomeRandom" },
    "resources": [ { "additionalContext": { "capabilityInterfaces": [ { "interfaceName": "Z" } ] } } ] } ] } }`;
const taskRule = (leaf: string) =>
  `{ "requestContext": { "taskInstances": { "taskInstanceState": ["ACTIVE"], "provider": { "id": ["X"] },
     "resources": { "additionalContext": { "capabilityInterfaces": { "${leaf}": [ { "exists": false } ] } } } } } }`;

const table: [string, string, string, boolean][] = [
  // RulerTest.WHEN_RulesFromReadmeAreTried_THEN_TheyWork
  [
    'RulerTest: README exact values',
    '{"detail-type": ["EC2 Instance State-change Notification"], "resources": ["arn:aws:ec2:us-east-1:012345679012:instance/i-000000aaaaaa00000"], "detail": {"state": ["initializing", "running"]}}',
    README,
    true,
  ],
  [
    'RulerTest: README prefix and anything-but',
    '{"time": [{"prefix": "2017-10-02"}], "detail": {"state": [{"anything-but": "initializing"}]}}',
    README,
    true,
  ],
  [
    'RulerTest: README cidr and numeric on dotted keys',
    '{"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}], "c.count": [{"numeric": [">", 0, "<=", 5]}], "d.count": [{"numeric": ["<", 10]}], "x.limit": [{"numeric": ["=", 3.018e2]}]}}',
    README,
    true,
  ],
  [
    'RulerTest: README anything-but prefix',
    '{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}',
    README,
    true,
  ],
  [
    'RulerTest: README prefix ignoring case',
    '{"detail": {"state": [{"prefix": {"equals-ignore-case": "RuNn"}}]}}',
    README,
    true,
  ],
  ['RulerTest: README suffix', '{"detail": {"state": [{"suffix": "ning"}]}}', README, true],
  [
    'RulerTest: README suffix ignoring case',
    '{"detail": {"state": [{"suffix": {"equals-ignore-case": "nInG"}}]}}',
    README,
    true,
  ],
  ['RulerTest: README cidr /8', '{"detail": {"source-ip": [{"cidr": "10.0.0.0/8"}]}}', README, true],
  ['RulerTest: README flattened keys', '{"detail.state": ["running"]}', README, true],
  // RulerTest.WHEN_WeWriteRulesToMatchVariousFieldCombos_THEN_TheyWork
  [
    'RulerTest: RFC nested values',
    '{"Image": {"Width": [800], "Thumbnail": {"Height": [125, 300]}}}',
    RFC,
    true,
  ],
  ['RulerTest: RFC prefix', '{"Image": {"Thumbnail": {"Url": [{"prefix": "http"}]}}}', RFC, true],
  [
    'RulerTest: RFC prefix ignoring case',
    '{"Image": {"Title": [{"prefix": {"equals-ignore-case": "VIeW"}}]}}',
    RFC,
    true,
  ],
  [
    'RulerTest: RFC suffix ignoring case',
    '{"Image": {"Title": [{"suffix": {"equals-ignore-case": "LoOr"}}]}}',
    RFC,
    true,
  ],
  ['RulerTest: RFC suffix', '{"Image": {"Title": [{"suffix": "loor"}]}}', RFC, true],
  [
    'RulerTest: RFC everything at once',
    '{"Image": {"Width": [{"numeric": ["<", 1000]}], "Height": [{"numeric": ["<=", 600]}], "Title": [{"anything-but": "View from 15th Flood"}], "Thumbnail": {"Url": [{"prefix": "http"}], "Height": [{"numeric": [">", 124, "<", 126]}], "Width": [{"numeric": [">=", 99.999, "<=", 100]}]}, "Animated": [false]}}',
    RFC,
    true,
  ],
  ['RulerTest: RFC Width < 800', '{"Image": {"Width": [{"numeric": ["<", 800]}]}}', RFC, false],
  ['RulerTest: RFC Height < 599', '{"Image": {"Height": [{"numeric": ["<", 599]}]}}', RFC, false],
  [
    'RulerTest: RFC anything-but the title',
    '{"Image": {"Title": [{"anything-but": "View from 15th Floor"}]}}',
    RFC,
    false,
  ],
  ['RulerTest: RFC prefix https', '{"Image": {"Thumbnail": {"Url": [{"prefix": "https"}]}}}', RFC, false],
  [
    'RulerTest: RFC open range',
    '{"Image": {"Thumbnail": {"Height": [{"numeric": [">", 124, "<", 125]}]}}}',
    RFC,
    false,
  ],
  [
    'RulerTest: RFC Width >= 100.00001',
    '{"Image": {"Thumbnail": {"Width": [{"numeric": [">=", 100.00001, "<=", 1001]}]}}}',
    RFC,
    false,
  ],
  ['RulerTest: RFC Animated true', '{"Image": {"Animated": [true]}}', RFC, false],
  ['RulerTest: RFC any element of a list', '{"Image": {"IDs": [943]}}', RFC, true],
  // RulerTest.WHEN_JSONContainsArrays_THEN_RulerNoCompileMatchesWork
  ['RulerTest: arrays of arrays', '{"employees": {"firstName": ["Anna"]}}', ARRAYS, true],
  ['RulerTest: same element', '{"employees": {"firstName": ["John"], "ids": [1000]}}', ARRAYS, true],
  [
    'RulerTest: absent in the same element',
    '{"employees": {"firstName": ["Anna"], "ids": [{"exists": false}]}}',
    ARRAYS,
    true,
  ],
  ['RulerTest: no Alice', '{"employees": {"firstName": ["Alice"]}}', ARRAYS, false],
  [
    'RulerTest: fields of two elements',
    '{"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}',
    ARRAYS,
    false,
  ],
  ['RulerTest: no such field', '{"a": ["b"]}', ARRAYS, false],
  ['RulerTest: a list of objects is no value', '{"employees": ["b"]}', ARRAYS, false],
  [
    'RulerTest: another element’s ids',
    '{"employees": {"firstName": ["Anna"], "ids": [1000]}}',
    ARRAYS,
    false,
  ],
  [
    'RulerTest: exists true, in another element',
    '{"employees": {"firstName": ["Anna"], "ids": [{"exists": true}]}}',
    ARRAYS,
    false,
  ],
  [
    'RulerTest: an empty array does not exist',
    '{"employees": {"firstName": ["Peter"], "ids": [{"exists": true}]}}',
    ARRAYS,
    false,
  ],
  [
    'RulerTest: an empty array is absent',
    '{"employees": {"firstName": ["Peter"], "ids": [{"exists": false}]}}',
    ARRAYS,
    true,
  ],
  // RulerTest.WHEN_WeTryToMatchExistsRules_THEN_TheyWork
  ['RulerTest: exists 1/1', '{ "a" : [ { "exists": true } ] }', '{ "a" : 1 }', true],
  ['RulerTest: exists 2/1', '{ "b" : [ { "exists": false } ] }', '{ "a" : 1 }', true],
  ['RulerTest: exists 3/1', '{ "x" : [ { "exists": true } ] }', '{ "a" : 1 }', false],
  ['RulerTest: exists 4/1', '{ "x" : [ { "exists": false } ] }', '{ "a" : 1 }', true],
  ['RulerTest: exists 1/2', '{ "a" : [ { "exists": true } ] }', '{ "b" : 2 }', false],
  ['RulerTest: exists 2/2', '{ "b" : [ { "exists": false } ] }', '{ "b" : 2 }', false],
  ['RulerTest: exists 3/3', '{ "x" : [ { "exists": true } ] }', '{ "x" : "X" }', true],
  ['RulerTest: exists 4/3', '{ "x" : [ { "exists": false } ] }', '{ "x" : "X" }', false],
  // README "Exists matching": only leaves exist; null is a leaf, {} and [] are none
  [
    'README: exists on an object',
    '{"detail": {"c-count": [{"exists": true}]}}',
    '{"detail": {"c-count": {"c1": 100}}}',
    false,
  ],
  [
    'README: absent object',
    '{"detail": {"c-count": [{"exists": false}]}}',
    '{"detail": {"c-count": {"c1": 100}}}',
    true,
  ],
  ['Event.java: exists on {}', '{"a": [{"exists": true}]}', '{"a": {}}', false],
  ['Event.java: absent {}', '{"a": [{"exists": false}]}', '{"a": {}}', true],
  ['Event.java: exists on []', '{"a": [{"exists": true}]}', '{"a": []}', false],
  ['Event.java: absent []', '{"a": [{"exists": false}]}', '{"a": []}', true],
  ['Event.java: exists on null', '{"a": [{"exists": true}]}', '{"a": null}', true],
  // RulerTest.WHEN_WeTryReallySimpleRules_THEN_TheyWork
  ['RulerTest: simple 1/1', '{ "a" : [ 1 ] }', '{ "a" : 1 }', true],
  ['RulerTest: simple 3/3', '{ "x" : [ "X" ] }', '{ "x" : "X" }', true],
  ['RulerTest: simple 4/1', '{ "a" : [ 1 ] }', '{ "x" : true }', false],
  ['RulerTest: simple 4/3', '{ "x" : [ "X" ] }', '{ "x" : true }', false],
  // RulerTest.WHEN_WeTryAnythingButRules_THEN_Theywork (a string anything-but matches a number)
  ['RulerTest: anything-but event 0', ANYTHING_BUT, anythingButEvent({}), true],
  [
    'RulerTest: anything-but event 1',
    ANYTHING_BUT,
    anythingButEvent({ a: 'dad789', b: 789, c: 'zdd' }),
    false,
  ],
  [
    'RulerTest: anything-but event 2',
    ANYTHING_BUT,
    anythingButEvent({ a: 'dad789', b: 789, z: 1.01 }),
    false,
  ],
  ['RulerTest: anything-but event 3', ANYTHING_BUT, anythingButEvent({ a: 'dad1', b: 345 }), false],
  ['RulerTest: anything-but event 4', ANYTHING_BUT, anythingButEvent({ a: 'abc', b: 111 }), false],
  [
    'RulerTest: anything-but event 6',
    ANYTHING_BUT,
    anythingButEvent({ a: 'abc', b: 0, d: 444, z: 0.999999 }),
    false,
  ],
  ['RulerTest: anything-but event 7', ANYTHING_BUT, anythingButEvent({ w: 'zaxonie' }), false],
  ['RulerTest: anything-but event 8', ANYTHING_BUT, anythingButEvent({ n: 'matching' }), false],
  ['RulerTest: anything-but event 9', ANYTHING_BUT, anythingButEvent({ o: 'camelcase' }), false],
  ['RulerTest: anything-but event 10', ANYTHING_BUT, anythingButEvent({ p: 'abc' }), false],
  // RulerTest.WHEN_WeTryEqualsIgnoreCaseRules_THEN_TheyWork / WHEN_WeTryWildcardRules_THEN_TheyWork
  [
    'RulerTest: equals-ignore-case',
    '{"a": [{"equals-ignore-case": "aBc"}], "b": [{"equals-ignore-case": "Def"}], "c": [{"equals-ignore-case": "xyZ"}]}',
    '{"a": "ABC", "b": "def", "c": "xYz", "d": "rst"}',
    true,
  ],
  [
    'RulerTest: equals-ignore-case, longer',
    '{"a": [{"equals-ignore-case": "aBc"}], "b": [{"equals-ignore-case": "Def"}]}',
    '{"a": "ABC", "b": "defx"}',
    false,
  ],
  [
    'RulerTest: wildcard',
    '{"a": [{"wildcard": "*bc"}], "b": [{"wildcard": "d*f"}], "c": [{"wildcard": "xy*"}], "d": [{"wildcard": "xy*"}]}',
    '{"a": "abcbc", "b": "deeeef", "c": "xy", "d": "xyzzz"}',
    true,
  ],
  ['RulerTest: wildcard, one more letter', '{"b": [{"wildcard": "d*f"}]}', '{"b": "deeeefx"}', false],
  // ACMachineTest.testIPAddressOfCIDRIsEqualToMaximumOfRange
  ['ACMachineTest: /31 low', '{"ip": [{"cidr": "220.160.153.171/31"}]}', '{"ip": "220.160.153.170"}', true],
  ['ACMachineTest: /31 high', '{"ip": [{"cidr": "220.160.153.171/31"}]}', '{"ip": "220.160.153.171"}', true],
  [
    'ACMachineTest: /31 below',
    '{"ip": [{"cidr": "220.160.153.171/31"}]}',
    '{"ip": "220.160.153.169"}',
    false,
  ],
  [
    'ACMachineTest: /31 above',
    '{"ip": [{"cidr": "220.160.153.171/31"}]}',
    '{"ip": "220.160.153.172"}',
    false,
  ],
  [
    'ACMachineTest: /24 from its last address',
    '{"ip": [{"cidr": "220.160.154.255/24"}]}',
    '{"ip": "220.160.154.0"}',
    true,
  ],
  [
    'ACMachineTest: /24 before',
    '{"ip": [{"cidr": "220.160.154.255/24"}]}',
    '{"ip": "220.160.153.255"}',
    false,
  ],
  ['ACMachineTest: /24 after', '{"ip": [{"cidr": "220.160.154.255/24"}]}', '{"ip": "220.160.155.0"}', false],
  // ACMachineTest.testCIDRRuleWith* (an exact address is matched as an address, not as text)
  [
    'ACMachineTest: anything-but an address',
    '{"ip": [{"anything-but": "10.0.1.200"}]}',
    '{"ip": "10.0.1.200"}',
    false,
  ],
  ['ACMachineTest: the address', '{"ip": ["10.0.1.200"]}', '{"ip": "10.0.1.200"}', true],
  [
    'ACMachineTest: anything-but prefix',
    '{"ip": [{"anything-but": {"prefix": "10.0."}}]}',
    '{"ip": "10.0.1.200"}',
    false,
  ],
  [
    'ACMachineTest: numeric on an address',
    '{"ip": [{"numeric": [">", 0, "<=", 5]}]}',
    '{"ip": "10.0.1.200"}',
    false,
  ],
  // CIDRTest.TestToString / testInvalidIPMatchedByIPv6Regex: addresses however written
  [
    'CIDRTest: IPv6 written out',
    '{"ip": ["2001:db8::ff00:42:8329"]}',
    '{"ip": "2001:0db8:0:0:0:ff00:0042:8329"}',
    true,
  ],
  ['CIDRTest: ::1', '{"ip": ["::1"]}', '{"ip": "0:0:0:0:0:0:0:1"}', true],
  ['CIDRTest: not an address after all', '{"a": ["08:23"]}', '{"a": ["08:23"]}', true],
  [
    'CIDRTest: IPv6 block',
    '{"ip": [{"cidr": "2400:6500:FF00::36FB:1F80/122"}]}',
    '{"ip": "2400:6500:ff00::36fb:1fbf"}',
    true,
  ],
  [
    'CIDRTest: IPv6 block, outside',
    '{"ip": [{"cidr": "2400:6500:FF00::36FB:1F80/122"}]}',
    '{"ip": "2400:6500:ff00::36fb:1fc0"}',
    false,
  ],
  [
    'CIDR.java: IPv4-mapped IPv6 is IPv4',
    '{"ip": [{"cidr": "10.0.0.0/24"}]}',
    '{"ip": "::ffff:a00:1"}',
    true,
  ],
  ['CIDR.java: an IPv4 block holds no IPv6', '{"ip": [{"cidr": "0.0.0.0/0"}]}', '{"ip": "::1"}', false],
  ['CIDR.java: a number is no address', '{"ip": [{"cidr": "0.0.0.0/0"}]}', '{"ip": 10}', false],
  // ACMachineTest.testNumericMatch / testAnythingButDeletion
  [
    'ACMachineTest: numeric operators',
    '{"a": [{"numeric": ["=", 0]}], "b": [{"numeric": ["<", 0]}], "c": [{"numeric": ["<=", 0]}], "x": [{"numeric": [">", 0]}], "y": [{"numeric": [">=", 0]}], "z": [{"numeric": [">", 0, "<", 1]}]}',
    '{"a": [0], "b": [-0.1], "c": [0], "x": [1], "y": [0], "z": [0.1]}',
    true,
  ],
  [
    'ACMachineTest: anything-but numbers, a string',
    '{"b": [{"anything-but": [111, 222, 333]}]}',
    '{"b": "444"}',
    true,
  ],
  ['ACMachineTest: anything-but a number, a string', '{"d": [{"anything-but": 111}]}', '{"d": "111"}', true],
  ['ACMachineTest: anything-but a number, itself', '{"d": [{"anything-but": 111}]}', '{"d": 111.0}', false],
  // ACMachineTest.testAnythingButPrefix / Suffix / Set
  [
    'ACMachineTest: anything-but prefix $, at the end',
    '{"a": [{"anything-but": {"prefix": "$"}}]}',
    '{"a": "value$"}',
    true,
  ],
  [
    'ACMachineTest: anything-but prefix $, at the start',
    '{"a": [{"anything-but": {"prefix": "$"}}]}',
    '{"a": "$notvalue"}',
    false,
  ],
  [
    'ACMachineTest: anything-but prefixes, %',
    '{"a": [{"anything-but": {"prefix": ["$", "%"]}}]}',
    '{"a": "%notvalue"}',
    false,
  ],
  [
    'ACMachineTest: anything-but prefixes, other',
    '{"a": [{"anything-but": {"prefix": ["$", "%"]}}]}',
    '{"a": "notvalue%"}',
    true,
  ],
  [
    'ACMachineTest: anything-but suffix $',
    '{"a": [{"anything-but": {"suffix": "$"}}]}',
    '{"a": "value$"}',
    false,
  ],
  [
    'ACMachineTest: anything-but suffix $, at the start',
    '{"a": [{"anything-but": {"suffix": "$"}}]}',
    '{"a": "$notvalue"}',
    true,
  ],
  [
    'ACMachineTest: anything-but suffixes',
    '{"a": [{"anything-but": {"suffix": ["$", "%"]}}]}',
    '{"a": "notvalue%"}',
    false,
  ],
  // ACMachineTest.testAnythingButEqualsIgnoreCase
  [
    'ACMachineTest: anything-but ignore case, YES',
    '{"a": [{"anything-but": {"equals-ignore-case": ["yes", "please"]}}]}',
    '{"a": "YES"}',
    false,
  ],
  [
    'ACMachineTest: anything-but ignore case, pLease',
    '{"a": [{"anything-but": {"equals-ignore-case": ["yes", "please"]}}]}',
    '{"a": "pLease"}',
    false,
  ],
  [
    'ACMachineTest: anything-but ignore case, value',
    '{"a": [{"anything-but": {"equals-ignore-case": ["yes", "please"]}}]}',
    '{"a": "value"}',
    true,
  ],
  [
    'ACMachineTest: anything-but ignore case, No!',
    '{"b": [{"anything-but": {"equals-ignore-case": "no"}}]}',
    '{"b": "No!"}',
    true,
  ],
  // ACMachineTest.testAnythingButWildcard / testAnythingButWildcardSet
  [
    'ACMachineTest: anything-but *foo*, foo',
    '{"a": [{"anything-but": {"wildcard": "*foo*"}}]}',
    '{"a": "foo"}',
    false,
  ],
  [
    'ACMachineTest: anything-but *foo*, barfoobar',
    '{"a": [{"anything-but": {"wildcard": "*foo*"}}]}',
    '{"a": "barfoobar"}',
    false,
  ],
  [
    'ACMachineTest: anything-but *foo*, barfobarobar',
    '{"a": [{"anything-but": {"wildcard": "*foo*"}}]}',
    '{"a": "barfobarobar"}',
    true,
  ],
  [
    'ACMachineTest: anything-but wildcards, sbars',
    '{"a": [{"anything-but": {"wildcard": ["*foo*", "*bar*"]}}]}',
    '{"a": "sbars"}',
    false,
  ],
  [
    'ACMachineTest: anything-but wildcards, fobaor',
    '{"a": [{"anything-but": {"wildcard": ["*foo*", "*bar*"]}}]}',
    '{"a": "fobaor"}',
    true,
  ],
  // ACMachineTest.testACWithExistFalseRule: absence is judged within the array element matched so far
  ['ACMachineTest: interfaceName absent from the active task', taskRule('interfaceName'), TASKS(false), true],
  ['ACMachineTest: abc absent from the active task', taskRule('abc'), TASKS(false), true],
  ['ACMachineTest: interfaceName present in the active task', taskRule('interfaceName'), TASKS(true), false],
  ['ACMachineTest: abc still absent', taskRule('abc'), TASKS(true), true],
  // ACMachineTest.testExists / testDuplicateKeyLastOneWins / OneEventWithDuplicatedKeyButDifferentValueMatchRules
  ['ACMachineTest: exists', '{"abc": [{"exists": true}]}', '{"abc": "xyz"}', true],
  ['ACMachineTest: not exists', '{"abc": [{"exists": false}]}', '{"xyz": "abc"}', true],
  ['ACMachineTest: duplicate key, first value', '{"x": ["y"], "x": ["z"]}', '{"x": "y"}', false],
  ['ACMachineTest: duplicate key, last value', '{"x": ["y"], "x": ["z"]}', '{"x": "z"}', true],
  [
    'ACMachineTest: a list holding the value',
    '{"foo": {"bar": ["cd"]}}',
    '{"foo": {"bar": ["ab", "cd"]}}',
    true,
  ],
  ['Event.java: duplicate keys in the event', '{"x": ["y"]}', '{"x": "y", "x": "z"}', true],
  // ACMachineTest.OneRuleMadeByTwoConditions (as one $or)
  [
    'ACMachineTest: two conditions, the second',
    '{"C": ["on"], "D": ["off"], "$or": [{"A": ["on"]}, {"B": ["on"]}]}',
    '{"B": "on", "C": "on", "D": "off"}',
    true,
  ],
  [
    'ACMachineTest: two conditions, D on',
    '{"C": ["on"], "D": ["off"], "$or": [{"A": ["on"]}, {"B": ["on"]}]}',
    '{"A": "on", "B": "on", "C": "on", "D": "on"}',
    false,
  ],
  // JsonRuleCompilerTest.testBigNumbers / testVariantForms / testBasicFunctionOfOrRelationshipRules / testWithRuleOverride
  [
    'JsonRuleCompilerTest: an account number',
    '{"account": [123456789012]}',
    '{"account": 123456789012}',
    true,
  ],
  ['JsonRuleCompilerTest: a number', '{"a": [133.3]}', '{"a": 133.3, "b": "192.0.2.0"}', true],
  ['JsonRuleCompilerTest: a range', '{"a": [{"numeric": [">", 120, "<=", 140]}]}', '{"a": 133.3}', true],
  ['JsonRuleCompilerTest: an address', '{"b": ["192.0.2.0"]}', '{"b": "192.0.2.0"}', true],
  ['JsonRuleCompilerTest: a block', '{"b": [{"cidr": "192.0.2.0/24"}]}', '{"b": "192.0.2.0"}', true],
  [
    'JsonRuleCompilerTest: $or inside detail',
    '{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}, {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}',
    '{"detail": {"c-count": 1, "d-count": 8}}',
    true,
  ],
  [
    'JsonRuleCompilerTest: two $ors',
    '{"detail": {"info": {"state-count": {"count": [100]}}, "$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}, "news": {"newsProviders": ["p1", "p2"], "$or": [{"newCondition1": ["news111"]}, {"newCondition2": ["news222"]}]}}',
    '{"detail": {"info": {"state-count": {"count": 100}}, "c-count": 9, "d-count": 8}, "news": {"newsProviders": "p1", "newCondition2": "news222"}}',
    true,
  ],
  [
    'JsonRuleCompilerTest: override, as written',
    '{"name": ["a", "b"], "$or": [{"name": [{"anything-but": "a"}]}, {"condition1": ["x"]}]}',
    '{"name": "a", "condition1": "x"}',
    true,
  ],
  [
    'JsonRuleCompilerTest: override, by the branch',
    '{"name": ["a", "b"], "$or": [{"name": [{"anything-but": "a"}]}, {"condition1": ["x"]}]}',
    '{"name": "c"}',
    true,
  ],
  // ComparableNumberTest: exact doubles, and texts that are no double
  [
    'ComparableNumberTest: 27.807807921694092 itself',
    '{"x": [27.807807921694092]}',
    '{"x": 27.807807921694092}',
    true,
  ],
  ['ComparableNumberTest: one digit fewer', '{"x": [27.807807921694092]}', '{"x": 27.80780792169409}', false],
  ['ComparableNumberTest: 37.80780 as 37.80780', '{"x": [37.80780]}', '{"x": 37.80780}', true],
  ['ComparableNumberTest: 37.80780 as 37.807807', '{"x": [37.80780]}', '{"x": 37.807807}', false],
  [
    'ComparableNumberTest: tiny closed range',
    '{"a": [{"numeric": [">=", 2.0e-6, "<=", 4.0e-6]}]}',
    '{"a": 4.0E-6}',
    true,
  ],
  [
    'ComparableNumberTest: tiny open range',
    '{"a": [{"numeric": [">", 2.0e-6, "<", 4.0e-6]}]}',
    '{"a": 4.0E-6}',
    false,
  ],
  [
    'ComparableNumberTest: epoch timestamps',
    '{"t": [{"numeric": [">=", 1628872008, "<=", 1629044808]}]}',
    '{"t": 1628958408}',
    true,
  ],
  ['ComparableNumber: 5 is 5.0', '{"a": [5]}', '{"a": 5.0}', true],
  ['ComparableNumber: 300 is 3.0e2', '{"a": [{"numeric": ["=", 300]}]}', '{"a": 3.0e2}', true],
  ['ComparableNumber: 0 is -0', '{"a": [0]}', '{"a": -0}', true],
  [
    'ComparableNumber: 2^53 + 1 matches its own text',
    '{"a": [9007199254740993]}',
    '{"a": 9007199254740993}',
    true,
  ],
  ['ComparableNumber: 2^53 + 1 is not 2^53', '{"a": [9007199254740993]}', '{"a": 9007199254740992}', false],
  ['ComparableNumber: 2^53 is not 2^53 + 1', '{"a": [9007199254740992]}', '{"a": 9007199254740993}', false],
  [
    'ComparableNumber: no range for 2^53 + 1',
    '{"a": [{"numeric": [">", 0]}]}',
    '{"a": 9007199254740993}',
    false,
  ],
  ['ComparableNumber: large doubles compare', '{"a": [{"numeric": [">", 5e11]}]}', '{"a": 1e300}', true],
  ['ComparableNumber: a number in a string', '{"a": [{"numeric": [">", 0]}]}', '{"a": "5"}', false],
  ['ComparableNumber: a string is no number', '{"a": [5]}', '{"a": "5"}', false],
  [
    'ComparableNumber: anything-but a number, 2^53 + 1',
    '{"a": [{"anything-but": [5]}]}',
    '{"a": 9007199254740993}',
    true,
  ],
  // ByteMachineTest.testEqualsIgnoreCase*: per-character lower and upper case, of any length
  ['ByteMachineTest: jAVa', '{"a": [{"equals-ignore-case": "jAVa"}]}', '{"a": "JaVa"}', true],
  ['ByteMachineTest: jAVa, javax', '{"a": [{"equals-ignore-case": "jAVa"}]}', '{"a": "javax"}', false],
  [
    'ByteMachineTest: non-letters',
    '{"a": [{"equals-ignore-case": "1#$^sS我ŐaBc"}]}',
    '{"a": "1#$^Ss我ŐAbC"}',
    true,
  ],
  ['ByteMachineTest: ⱥ and Ⱥ', '{"a": [{"equals-ignore-case": "12ⱥ34"}]}', '{"a": "12Ⱥ34"}', true],
  // "ΰɀɐΐΰῆK" (with a Kelvin sign) against "Ϋ́ɀⱯΐΫ́Η͂k" and "Ϋ́ȿⱯΐΫ́Η͂k", written as JSON escapes
  [
    'ByteMachineTest: many lengths',
    '{"a": [{"equals-ignore-case": "\\u03b0\\u0240\\u0250\\u0390\\u03b0\\u1fc6\\u212a"}]}',
    '{"a": "\\u03a5\\u0308\\u0301\\u0240\\u2c6f\\u0390\\u03a5\\u0308\\u0301\\u0397\\u0342k"}',
    true,
  ],
  [
    'ByteMachineTest: many lengths, one letter off',
    '{"a": [{"equals-ignore-case": "\\u03b0\\u0240\\u0250\\u0390\\u03b0\\u1fc6\\u212a"}]}',
    '{"a": "\\u03a5\\u0308\\u0301\\u023f\\u2c6f\\u0390\\u03a5\\u0308\\u0301\\u0397\\u0342k"}',
    false,
  ],
  [
    'ByteMachineTest: a Kelvin sign is not K',
    '{"a": [{"equals-ignore-case": "k"}]}',
    '{"a": "\\u212a"}',
    false,
  ],
  [
    'ByteMachineTest: prefix ignoring case',
    '{"a": [{"prefix": {"equals-ignore-case": "abȺ"}}]}',
    '{"a": "ABⱥcd"}',
    true,
  ],
  // the docs: null, empty, booleans
  ['docs: null matches null', '{"UserID": [null]}', '{"UserID": null}', true],
  ['docs: null does not match "null"', '{"UserID": [null]}', '{"UserID": "null"}', false],
  ['docs: null does not match a missing field', '{"UserID": [null]}', '{}', false],
  ['docs: empty string', '{"LastName": [""]}', '{"LastName": ""}', true],
  ['docs: an empty prefix matches any string', '{"a": [{"prefix": ""}]}', '{"a": "x"}', true],
  ['docs: a prefix never matches a number', '{"a": [{"prefix": "1"}]}', '{"a": 12}', false],
  ['ByteMachine: a string anything-but matches null', '{"a": [{"anything-but": "x"}]}', '{"a": null}', true],
  [
    'ByteMachine: a string anything-but matches true',
    '{"a": [{"anything-but": ["x", "y"]}]}',
    '{"a": true}',
    true,
  ],
  ['ByteMachine: anything-but on an absent field', '{"a": [{"anything-but": "x"}]}', '{"b": "y"}', false],
];

describe('matchesPattern (cases ported from event-ruler)', () => {
  it.each(table)('%s', (_source, pattern, event, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });

  // ACMachineTest.CIDRTest: a /n block holds 2^(32-n) addresses of a window around it
  it.each([22, 26, 30, 31])('returns a match for exactly the addresses of 10.0.0.0/%i', (bits) => {
    const rule = parseEventPattern(`{"a": [{"cidr": "10.0.0.0/${bits}"}]}`);
    const size = 2 ** (32 - bits);
    const base = 0x0a000000;
    let hits = 0;
    for (let n = base - 16; n < base + size + 16; n++) {
      const ip = [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');
      if (matchesPattern(rule, { a: ip })) hits++;
    }
    expect(hits).toBe(size);
  });
});
