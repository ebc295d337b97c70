/**
 * The AWS SDK warns on Node 20 that its releases after early January 2027 need Node 22. Lambda runs
 * Node 22+, and locally the warning would bury what the stack prints; every other warning still shows.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (text.includes('AWS SDK for JavaScript (v3)')) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
