import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutes, stateMachines } from '#wiring/wiring.ts';
import { repoRoot } from '../../infra/repo-root.ts';
import { aslToMermaid } from '../../scripts/asl-to-mermaid.ts';

/** What people read and what runs must not drift either. */
let actions: Record<string, unknown>;

beforeAll(async () => {
  Object.assign(process.env, {
    TABLE_NAME: 'parity',
    STATE_MACHINE_ARN: 'arn:aws:states:local:000000000000:stateMachine:x',
  });
  ({ actions } = (await import('../../functions/api/order-actions.ts')) as {
    actions: Record<string, unknown>;
  });
});

describe('docs and action routes', () => {
  it("keeps the design doc's lifecycle diagram equal to the one drawn from the ASL file", () => {
    const readme = readFileSync(join(repoRoot, 'docs/design.md'), 'utf8');
    const drawn = aslToMermaid(
      JSON.parse(readFileSync(join(repoRoot, stateMachines.workOrder.file), 'utf8')),
    );
    expect(readme).toContain(`\`\`\`mermaid\n${drawn}\n\`\`\``);
  });

  it('routes every order action the handler knows, and knows every action route', () => {
    const routed = httpRoutes
      .filter((r) => r.function === 'orderActions')
      .map((r) => r.path.replace('/orders/{id}/', ''))
      .sort();
    expect(routed).toEqual(Object.keys(actions).sort());
  });

  it('documents every order action route in docs/api.md with an example', () => {
    const readme = readFileSync(join(repoRoot, 'docs/api.md'), 'utf8');
    for (const route of httpRoutes.filter((r) => r.function === 'orderActions')) {
      const action = route.path.replace('/orders/{id}/', '');
      expect(readme, action).toMatch(new RegExp(`post ${action} `));
    }
  });
});
