import { readFileSync } from 'node:fs';

/**
 * Draws a state machine's ASL file as a Mermaid state diagram: every state, every Next, Default,
 * Choice branch and Catch. `npm run diagram` prints the lifecycle's; a test keeps docs/design.md's copy
 * equal to it, so the picture cannot drift from the file Step Functions runs.
 */
interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly {
    readonly Next: string;
    readonly Variable?: string;
    readonly StringEquals?: string;
  }[];
  readonly Catch?: readonly { readonly ErrorEquals: readonly string[]; readonly Next: string }[];
}

export const aslToMermaid = (definition: { StartAt: string; States: Record<string, State> }): string => {
  const lines = ['stateDiagram-v2', `    [*] --> ${definition.StartAt}`];
  for (const [name, state] of Object.entries(definition.States)) {
    for (const choice of state.Choices ?? [])
      lines.push(`    ${name} --> ${choice.Next}: ${choice.StringEquals ?? 'choice'}`);
    if (state.Default) lines.push(`    ${name} --> ${state.Default}: otherwise`);
    for (const c of state.Catch ?? []) lines.push(`    ${name} --> ${c.Next}: ${c.ErrorEquals.join(', ')}`);
    if (state.Next) lines.push(`    ${name} --> ${state.Next}`);
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') lines.push(`    ${name} --> [*]`);
  }
  return lines.join('\n');
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'statemachines/work-order.asl.json';
  console.log(aslToMermaid(JSON.parse(readFileSync(file, 'utf8'))));
}
