import { type AslSubstitution, aslSubstitutions } from '#wiring/wiring.ts';

/** A CDK definition substitution as it appears in an ASL file: `${DispatchOrderFunctionArn}`. */
const placeholderPattern = /\$\{([^}]*)\}/g;

/** The distinct `${...}` placeholders in an ASL definition, in order of first appearance. */
export const placeholdersIn = (definition: string): string[] => [
  ...new Set(Array.from(definition.matchAll(placeholderPattern), (match) => match[1] ?? '')),
];

/**
 * What each placeholder of one ASL file stands for. Throws when the file uses a placeholder that
 * `aslSubstitutions` does not know: CloudFormation would leave it in the definition verbatim and the
 * execution would fail at the first state that reads it, long after deploy.
 */
export const substitutionsFor = (file: string, definition: string): ReadonlyMap<string, AslSubstitution> => {
  const found = new Map<string, AslSubstitution>();
  const unknown: string[] = [];
  for (const placeholder of placeholdersIn(definition)) {
    const substitution = aslSubstitutions[placeholder];
    if (substitution === undefined) unknown.push(placeholder);
    else found.set(placeholder, substitution);
  }
  if (unknown.length > 0) {
    throw new Error(
      `${file} uses placeholders with no entry in aslSubstitutions (wiring/wiring.ts): ${unknown.map((p) => `\${${p}}`).join(', ')}`,
    );
  }
  return found;
};
