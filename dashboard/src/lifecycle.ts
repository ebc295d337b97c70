import { dateTime } from './format.ts';
import { tryT } from './i18n.ts';
import { arr, obj, str } from './shapes.ts';

/**
 * An order's lifecycle as Step Functions recorded it (GET /orders/{id}/execution-history, in
 * GetExecutionHistory's shape): the states it went through, in order, each with what moved it on (the
 * action a person took while it waited), drawn as a diagram of boxes and arrows in SVG.
 */
export interface LifecycleStep {
  readonly state: string;
  /** Task, Choice, Wait, Parallel, Pass, Succeed, Fail, Map. */
  readonly stateType: string;
  readonly enteredAt: string | undefined;
  /** The action that ended a wait (accept, contact, reply …), from the state's output. */
  readonly action: string | undefined;
}

export interface Lifecycle {
  readonly steps: readonly LifecycleStep[];
  /** Running, Succeeded, Failed, Aborted, TimedOut. */
  readonly status: string;
}

const parse = (json: unknown): Record<string, unknown> => {
  if (typeof json !== 'string') return {};
  try {
    return obj(JSON.parse(json));
  } catch {
    return {};
  }
};

export const lifecycleOf = (events: unknown): Lifecycle => {
  const steps: { -readonly [K in keyof LifecycleStep]: LifecycleStep[K] }[] = [];
  let status = 'Running';
  for (const e of arr(events)) {
    const event = obj(e);
    const type = str(event.type) ?? '';
    const entered = /^(\w+)StateEntered$/.exec(type);
    if (entered) {
      const details = obj(event.stateEnteredEventDetails);
      steps.push({
        state: str(details.name) ?? '?',
        stateType: entered[1] ?? '',
        enteredAt: str(event.timestamp),
        action: undefined,
      });
      continue;
    }
    // A person's action completes the waiting task (SendTaskSuccess): its output names the action. The
    // states after it pass the same output on, so only the task's own success says who acted where.
    if (type === 'TaskSucceeded') {
      const last = steps.at(-1);
      const action = str(parse(obj(event.taskSucceededEventDetails).output).action);
      if (last && action) last.action = action;
      continue;
    }
    const ended = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.exec(type);
    if (ended?.[1]) status = ended[1];
  }
  return { steps, status };
};

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
  const element = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) element.setAttribute(k, String(v));
  if (text !== undefined) element.textContent = text;
  return element;
};

const PER_ROW = 5;
const BOX_W = 190;
const BOX_H = 64;
const GAP_X = 46;
const GAP_Y = 40;
const PAD = 12;

/**
 * Boxes left to right, row after row (a snake would cross fewer lines but reads worse), each state
 * with its step number, the action that moved it on and when it was entered; the last box is
 * coloured by how the execution stands.
 */
export const lifecycleDiagram = (lifecycle: Lifecycle, labels: { readonly status: string }): SVGElement => {
  const rows = Math.max(1, Math.ceil(lifecycle.steps.length / PER_ROW));
  const width = PAD * 2 + PER_ROW * BOX_W + (PER_ROW - 1) * GAP_X;
  const height = PAD * 2 + rows * BOX_H + (rows - 1) * GAP_Y + 24;
  const root = svg('svg', {
    class: 'lifecycle',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'data-status': lifecycle.status,
  });
  const defs = svg('defs', {});
  const marker = svg('marker', {
    id: 'arrow',
    viewBox: '0 0 10 10',
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse',
  });
  marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#5b6775' }));
  defs.appendChild(marker);
  root.appendChild(defs);

  const at = (i: number) => ({
    x: PAD + (i % PER_ROW) * (BOX_W + GAP_X),
    y: PAD + Math.floor(i / PER_ROW) * (BOX_H + GAP_Y),
  });
  lifecycle.steps.forEach((step, i) => {
    const { x, y } = at(i);
    if (i > 0) {
      const prev = at(i - 1);
      const d =
        prev.y === y
          ? `M ${prev.x + BOX_W} ${y + BOX_H / 2} L ${x - 2} ${y + BOX_H / 2}`
          : `M ${prev.x + BOX_W / 2} ${prev.y + BOX_H} L ${prev.x + BOX_W / 2} ${prev.y + BOX_H + GAP_Y / 2} L ${x + BOX_W / 2} ${prev.y + BOX_H + GAP_Y / 2} L ${x + BOX_W / 2} ${y - 2}`;
      root.appendChild(svg('path', { d, fill: 'none', stroke: '#5b6775', 'marker-end': 'url(#arrow)' }));
    }
    const last = i === lifecycle.steps.length - 1;
    const fill =
      step.stateType === 'Choice'
        ? '#f7f8fa'
        : last
          ? lifecycle.status === 'Succeeded'
            ? '#e6f4ec'
            : lifecycle.status === 'Running'
              ? '#fffbe8'
              : '#fdecec'
          : '#eef3fb';
    const group = svg('g', { class: 'step', 'data-state': step.state, 'data-step': i + 1 });
    group.appendChild(
      svg('rect', {
        x,
        y,
        width: BOX_W,
        height: BOX_H,
        rx: step.stateType === 'Choice' ? 16 : 6,
        fill,
        stroke: '#9aa5b1',
      }),
    );
    group.appendChild(
      svg(
        'text',
        { x: x + 8, y: y + 18, 'font-weight': 600, class: 'state-name' },
        `${i + 1}. ${step.state}`,
      ),
    );
    if (step.action)
      group.appendChild(
        svg(
          'text',
          { x: x + 8, y: y + 36, fill: '#c62f2f', class: 'state-action' },
          `→ ${tryT(`action.${step.action}`, step.action)}`,
        ),
      );
    group.appendChild(
      svg('text', { x: x + 8, y: y + 54, fill: '#5b6775', 'font-size': 11 }, dateTime(step.enteredAt)),
    );
    root.appendChild(group);
  });
  root.appendChild(
    svg('text', { x: PAD, y: height - 8, fill: '#5b6775', class: 'execution-status' }, labels.status),
  );
  return root;
};
