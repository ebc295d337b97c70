import { expect } from 'vitest';
import { eventually, type StackProcess } from './local-stack-process.ts';

/**
 * The vocabulary of the scenario tests: record a contact, act on an order as a person, wait for the
 * lifecycle, read its history and timeline. Each helper talks to the running local stack over HTTP.
 */
export interface HistoryEvent {
  readonly id: number;
  readonly type: string;
  readonly timestamp: number;
  readonly stateEnteredEventDetails?: { name: string };
  readonly taskSucceededEventDetails?: { output: string };
}

export const scenario = (stack: StackProcess, tokens: { operator: string; auditor: string }) => {
  const create = async (body: unknown) => {
    const response = await stack.api('POST', '/orders', { token: tokens.operator, body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; status: string; deadlines: Record<string, string> };
  };

  const read = async (id: string) =>
    (await stack.api('GET', `/orders/${id}`, { token: tokens.auditor })).body;

  const history = async (id: string): Promise<{ status: string; events: HistoryEvent[] }> =>
    (await stack.api('GET', `/_local/executions/${id}`)).body;

  /** Waits until the lifecycle waits for people again, with the order at `status`. */
  const untilWaiting = (id: string, status?: string) =>
    eventually(
      async () => {
        const h = await history(id);
        if (h.events?.at(-1)?.type !== 'TaskSubmitted') return undefined;
        const order = await read(id);
        return status === undefined || order.status === status ? order : undefined;
      },
      `order ${id} to wait for people${status ? ` as ${status}` : ''}`,
    );

  const untilEnded = (id: string) =>
    eventually(async () => {
      const h = await history(id);
      return h.status !== 'RUNNING' ? h : undefined;
    }, `execution ${id} to end`);

  const act = async (
    id: string,
    action: string,
    token: string,
    body: unknown = {},
    headers: Record<string, string> = {},
  ) => stack.api('POST', `/orders/${id}/${action}`, { token, body, headers });

  /** Acts and expects success; then waits for the lifecycle to wait again (or to end). */
  const step = async (id: string, action: string, token: string, body: unknown = {}) => {
    const response = await act(id, action, token, body);
    expect(response.status, `${action}: ${JSON.stringify(response.body)}`).toBe(200);
    if (response.body.status === 'closed') await untilEnded(id);
    else await untilWaiting(id);
    return response.body;
  };

  const statesEntered = async (id: string) =>
    (await history(id)).events.flatMap((e) =>
      e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name] : [],
    );

  /** The payloads people's actions completed the waiting task with, in order. */
  const actionsInHistory = async (id: string) =>
    (await history(id)).events
      .filter((e) => e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.output.includes('"action"'))
      .map(
        (e) =>
          JSON.parse(e.taskSucceededEventDetails?.output ?? '{}') as {
            action: string;
            payload: unknown;
            by: unknown;
          },
      );

  const timeline = async (id: string) => {
    const response = await stack.api('GET', `/orders/${id}/timeline?verify=true`, { token: tokens.auditor });
    expect(response.body.verification).toEqual({ valid: true, count: response.body.items.length });
    return response.body.items as {
      type: string;
      at: string;
      data: Record<string, unknown>;
      actor: Record<string, unknown>;
    }[];
  };

  const clock = async (body: { advance: string } | { set: string }) => {
    const response = await stack.api('POST', '/_local/clock', { body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { now: string };
  };

  return {
    create,
    read,
    history,
    untilWaiting,
    untilEnded,
    act,
    step,
    statesEntered,
    actionsInHistory,
    timeline,
    clock,
  };
};

export const complaint = (overrides: Record<string, unknown> = {}) => ({
  appealType: 'complaint',
  categoryCode: '0101', // 违章建筑: the street office where it stands
  description: '楼下商户私自搭建彩钢板房，占用消防通道。',
  channel: 'phone',
  urgency: 'normal',
  requester: { kind: 'person', name: '王女士', phone: '13800138000' },
  location: { districtCode: '110105', streetCode: '110105001', address: '建国门外大街1号' },
  ...overrides,
});
