import {
  findDistrictByCode,
  findSchoolByCode,
  findSchoolClassById,
  findSchoolClassByName,
  listDistricts,
  type Db,
} from '@renraku/db';
import { schoolYearOf } from '@renraku/shared';
import { CommandError, UsageError } from './errors';

/**
 * The district a command acts in: the one named by --district, or the only one there is.
 * With several districts the operator must say which, rather than the CLI guessing.
 */
export async function resolveDistrict(db: Db, command: string, code: string | undefined) {
  if (code !== undefined) {
    const district = await findDistrictByCode(db, code);
    if (!district) throw new CommandError(`${command}: no district with code "${code}"`);
    return district;
  }
  const districts = await listDistricts(db);
  const [only] = districts;
  if (!only) {
    throw new CommandError(`${command}: the database has no district yet`);
  }
  if (districts.length > 1) {
    const codes = districts.map((d) => d.code).join(', ');
    throw new UsageError(`${command}: several districts (${codes}): pass --district CODE`);
  }
  return only;
}

export async function resolveSchool(db: Db, command: string, districtId: number, code: string) {
  const school = await findSchoolByCode(db, districtId, code);
  if (!school) {
    throw new CommandError(
      `${command}: no school with code "${code}" (see \`pnpm cli list-schools\`)`,
    );
  }
  return school;
}

/** A class as the operator names it: by id, or by grade and name in the current school year. */
export type ClassReference = { id: number } | { grade: number; name: string };

/** Only a class of the given school will do: a teacher's scope never crosses schools. */
export async function resolveClass(
  db: Db,
  command: string,
  school: { id: number; code: string },
  reference: ClassReference,
) {
  if ('id' in reference) {
    const found = await findSchoolClassById(db, school.id, reference.id);
    if (!found)
      throw new CommandError(`${command}: class ${reference.id} is not a class of ${school.code}`);
    return found;
  }
  const schoolYear = schoolYearOf(new Date());
  const found = await findSchoolClassByName(db, { schoolId: school.id, schoolYear, ...reference });
  if (!found) {
    throw new CommandError(
      `${command}: ${school.code} has no class ${reference.grade}年${reference.name} in school year ${schoolYear}`,
    );
  }
  return found;
}
