import { envNames } from '#wiring/wiring.ts';

/**
 * The one config loader: reads a variable at load time and throws at once when it is missing, so a
 * misconfigured function fails on its first cold start, not on a customer's request.
 */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set.`);
  return value;
};

/** A variable that may be absent: its value, or the fallback (an empty value counts as absent). */
export const optionalEnv = (name: string, fallback: string): string => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
};

export const tableName = (): string => requireEnv(envNames.table);
export const stateMachineArn = (): string => requireEnv(envNames.stateMachineArn);
