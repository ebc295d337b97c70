import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { busRules, type StreamTriggerSpec, streamTriggers } from '#wiring/wiring.ts';
import { LocalStreamPoller } from '../../../local/dynamodb-streams.ts';
import { type BusEvent, LocalEventBus } from '../../../local/event-bus.ts';
import { parseEventPattern } from '../../../local/eventbridge/event-pattern.ts';

/** Where the pattern language is used: the wiring's own patterns, the local bus, the stream triggers. */
const NOW = Date.parse('2026-12-08T01:05:00.000Z');

describe('the patterns of wiring/wiring.ts', () => {
  it.each(Object.entries(busRules))('returns bus rule %s valid under PutRule’s rules', (_name, rule) => {
    expect(() => parseEventPattern(JSON.stringify(rule.pattern))).not.toThrow();
  });

  it.each(Object.entries(streamTriggers))(
    'returns stream filter %s valid under Lambda’s rules',
    (_name, trigger) => {
      expect(() => parseEventPattern(JSON.stringify(trigger.filter), { dialect: 'lambda' })).not.toThrow();
    },
  );
});

describe('LocalEventBus rules', () => {
  const busWith = (pattern: string) => {
    const delivered: BusEvent[] = [];
    const bus = new LocalEventBus('hotline-bus', () => NOW, [
      { name: 'R', pattern: parseEventPattern(pattern), deliver: async (event) => delivered.push(event) },
    ]);
    return { bus, delivered };
  };
  const put = (bus: LocalEventBus, detail: string) =>
    bus.putEvents([{ EventBusName: 'hotline-bus', Source: 'test', DetailType: 'T', Detail: detail }]);

  it('returns a match on the detail’s numbers as sent, beyond a double’s precision', async () => {
    // Prepare
    const { bus, delivered } = busWith('{"detail": {"n": [9007199254740993]}}');

    // Act
    put(bus, '{"n": 9007199254740992}');
    const [sent] = put(bus, '{"n": 9007199254740993}').Entries;
    await bus.drain();

    // Assess: JSON.parse reads both as 9007199254740992; EventBridge tells them apart
    expect(delivered.map((e) => e.id)).toEqual([(sent as { EventId: string }).EventId]);
  });

  it('returns no match for an empty list in the detail when the rule needs the field', async () => {
    // Prepare
    const { bus, delivered } = busWith('{"detail": {"tags": [{"exists": true}]}}');

    // Act
    put(bus, '{"tags": []}');
    put(bus, '{"tags": ["a"]}');
    await bus.drain();

    // Assess
    expect(delivered.map((e) => e.detail)).toEqual([{ tags: ['a'] }]);
  });
});

describe('LocalStreamPoller filters', () => {
  const trigger = (filter: Record<string, unknown>): StreamTriggerSpec => ({
    ...(Object.values(streamTriggers)[0] as StreamTriggerSpec),
    filter,
  });
  const poller = (filter: Record<string, unknown>) =>
    new LocalStreamPoller({
      endpoint: 'http://127.0.0.1:9',
      tableName: 'unused',
      triggers: { T: trigger(filter) },
      invoke: async () => undefined,
      checkpointFile: join('/nonexistent', 'checkpoints.json'),
    });

  it('rejects an operator Lambda’s filter syntax does not have, as CreateEventSourceMapping does', () => {
    expect(() => poller({ dynamodb: { Keys: { id: { S: [{ wildcard: 'WO-*' }] } } } })).toThrow(
      expect.objectContaining({ name: 'InvalidParameterValueException' }),
    );
  });

  it('returns a poller for a filter Lambda takes', () => {
    expect(() => poller({ dynamodb: { Keys: { id: { S: [{ prefix: 'WO-' }] } } } })).not.toThrow();
  });
});
