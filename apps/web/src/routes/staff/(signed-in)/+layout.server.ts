import { requireStaff } from '$lib/server/auth/guards';
import type { StaffSummary } from '$lib/staff';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
  const staff = requireStaff(locals);
  const summary: StaffSummary = {
    displayName: staff.displayName,
    role: staff.role,
    districtName: staff.districtName,
    schoolName: staff.schoolName,
    classGrade: staff.classGrade,
    className: staff.className,
  };
  return { staff: summary };
};
