import { HotlineError } from './errors.ts';
import type { NewOrderInput } from './order-input.ts';
import type { ReferenceData } from './reference-data.ts';

/**
 * Checks a well-formed contact against the city's reference data. Each failure is a 422 with a code
 * that says which fact is wrong; all failures are reported together.
 */
export const checkAgainstReferenceData = (input: NewOrderInput, ref: ReferenceData): void => {
  const problems: { path: string; code: string; message: string }[] = [];
  if (!ref.category(input.categoryCode)) {
    problems.push({
      path: 'categoryCode',
      code: 'UNKNOWN_CATEGORY',
      message: `No category ${input.categoryCode}.`,
    });
  }
  const district = ref.area(input.location.districtCode);
  if (district?.level !== 'district') {
    problems.push({
      path: 'location.districtCode',
      code: 'UNKNOWN_DISTRICT',
      message: `No district ${input.location.districtCode}.`,
    });
  }
  const { streetCode } = input.location;
  if (streetCode !== undefined) {
    const street = ref.area(streetCode);
    if (street?.level !== 'street') {
      problems.push({
        path: 'location.streetCode',
        code: 'UNKNOWN_STREET',
        message: `No street or township ${streetCode}.`,
      });
    } else if (street.parentCode !== input.location.districtCode) {
      problems.push({
        path: 'location.streetCode',
        code: 'STREET_NOT_IN_DISTRICT',
        message: `${street.name} (${streetCode}) is not in district ${input.location.districtCode}.`,
      });
    }
  }
  const [first] = problems;
  if (first) {
    throw new HotlineError(
      'unprocessable',
      problems.length === 1 ? first.code : 'INVALID_REFERENCES',
      first.message,
      problems,
    );
  }
};
