import { HotlineError, notFound } from '#domain/errors.ts';
import type { PersonActor } from '#shared/platform/auth.ts';
import { referenceData } from '#shared/platform/reference.ts';

/**
 * The unit a path names, for a caller who may see it: 404 UNIT_NOT_FOUND when there is no such unit,
 * 403 OTHER_UNIT when a unit's staff name another unit (`refusal` says what they were after).
 */
export const unitForCaller = (actor: PersonActor, unitId: string, refusal: string) => {
  const unit = referenceData.unit(unitId);
  if (!unit) throw notFound('unit', unitId);
  if (actor.role === 'unit' && actor.unitId !== unitId)
    throw new HotlineError('forbidden', 'OTHER_UNIT', refusal);
  return unit;
};
