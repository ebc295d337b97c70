import { Logger } from '@aws-lambda-powertools/logger';
import { optionalEnv } from '#shared/platform/config.ts';

/** One structured logger per container (Powertools); the service name comes from POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger({ serviceName: optionalEnv('POWERTOOLS_SERVICE_NAME', 'hotline') });
