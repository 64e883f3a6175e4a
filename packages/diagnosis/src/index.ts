export { diagnose, diagnoseWithErrors, sortFindings, type Diagnosis, type RuleError, type UnknownReason } from './diagnose.js';
export { RULES } from './rules/index.js';
export { CannotJudge, type Rule } from './rule.js';
export { FINDING_CATALOG, type CatalogEntry } from './catalog.js';
export { resolvePolicy } from './policy.js';
export { isDottedVersion, isOlderThan, zoomComparableVersion } from './versions.js';
export { judgeHealth, READINESS_SECTIONS, type HealthInput } from './health.js';
export { describeSectionChange, type SectionBody } from './changes.js';
