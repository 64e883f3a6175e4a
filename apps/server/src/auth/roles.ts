import { ROLES, type Role } from '@fleetmedic/protocol';

/** API token roles, weakest first (defined in @fleetmedic/protocol). */
export { ROLES, type Role };

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** True when `have` is `need` or stronger. */
export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);
