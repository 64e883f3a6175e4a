// The full ingest's statements, by name. Each takes its rows as one JSON array ($1), so a batch
// of any size is one statement per step; $2, where present, is the server's time (ISO 8601,
// Prisma's `timestamp(3)` in UTC).

/** The batch's devices, locked in id order (as every multi-row Device writer does: no deadlock). $1: device ids. */
export const LOCK_DEVICES = `
SELECT id::text AS id, "stateHash", "lastCollectedAt", "lastReportId" FROM "Device"
WHERE id IN (SELECT value::uuid FROM json_array_elements_text($1::json)) ORDER BY id FOR NO KEY UPDATE`;

/** The section hashes stored for the devices. $1: device ids. */
export const SECTION_HASHES = `
SELECT "deviceId"::text AS "deviceId", section, hash FROM "SectionState"
WHERE "deviceId" IN (SELECT value::uuid FROM json_array_elements_text($1::json))`;

/** Which of the reports already have a Report row. $1: [{deviceId, id}]. */
export const STORED_REPORTS = `
SELECT r."deviceId"::text AS "deviceId", r.id FROM "Report" r
JOIN json_to_recordset($1::json) AS t("deviceId" uuid, id text) ON r."deviceId" = t."deviceId" AND r.id = t.id`;

/** Stored section bodies a delta named by hash only. $1: [{deviceId, section}]. */
export const SECTION_BODIES = `
SELECT s."deviceId"::text AS "deviceId", s.section, s.body FROM "SectionState" s
JOIN json_to_recordset($1::json) AS t("deviceId" uuid, section text) ON s."deviceId" = t."deviceId" AND s.section = t.section`;

/** The devices' findings, every state. $1: device ids. */
export const FINDINGS = `
SELECT id::text AS id, "deviceId"::text AS "deviceId", "ruleId", key, severity, title, evidence, remedy, state, "firstSeenAt", "lastSeenAt", "resolvedAt"
FROM "Finding" WHERE "deviceId" IN (SELECT value::uuid FROM json_array_elements_text($1::json))`;

/** The devices' succeeded `tcc.reset` commands (a denied permission reset, awaiting the user's consent). $1: device ids. */
export const TCC_RESETS = `
SELECT "deviceId"::text AS "deviceId", params, "finishedAt" FROM "Command"
WHERE type = 'tcc.reset' AND status = 'succeeded' AND "deviceId" IN (SELECT value::uuid FROM json_array_elements_text($1::json))`;

/** $1: [{id, deviceId, collectedAt}]. */
export const INSERT_REPORTS = `
INSERT INTO "Report" (id, "deviceId", "collectedAt", "receivedAt")
SELECT id, "deviceId", "collectedAt", $2::timestamp(3) FROM json_to_recordset($1::json) AS t(id text, "deviceId" uuid, "collectedAt" timestamp(3))`;

/** The current state of each changed section. $1: [{deviceId, section, status, hash, body}]. */
export const UPSERT_SECTION_STATES = `
INSERT INTO "SectionState" ("deviceId", section, status, hash, body, "updatedAt")
SELECT "deviceId", section, status, hash, body, $2::timestamp(3) FROM json_to_recordset($1::json) AS t("deviceId" uuid, section text, status text, hash text, body jsonb)
ON CONFLICT ("deviceId", section) DO UPDATE SET status = EXCLUDED.status, hash = EXCLUDED.hash, body = EXCLUDED.body, "updatedAt" = EXCLUDED."updatedAt"`;

/** History: one row per changed section. $1: the same rows, with reportId. */
export const INSERT_SECTION_CHANGES = `
INSERT INTO "SectionChange" ("deviceId", section, hash, status, body, "reportId", "changedAt")
SELECT "deviceId", section, hash, status, body, "reportId", $2::timestamp(3) FROM json_to_recordset($1::json) AS t("deviceId" uuid, section text, status text, hash text, body jsonb, "reportId" text)`;

/** Sections a device's agent no longer reports. $1: [{deviceId, section}]. */
export const DELETE_SECTION_STATES = `
DELETE FROM "SectionState" s USING json_to_recordset($1::json) AS t("deviceId" uuid, section text)
WHERE s."deviceId" = t."deviceId" AND s.section = t.section`;

/** $1: FindingRow[]. */
export const UPSERT_FINDINGS = `
INSERT INTO "Finding" (id, "deviceId", "ruleId", key, severity, title, evidence, remedy, state, "firstSeenAt", "lastSeenAt", "resolvedAt")
SELECT * FROM json_to_recordset($1::json) AS t(id uuid, "deviceId" uuid, "ruleId" text, key text, severity text, title text, evidence jsonb, remedy jsonb, state text, "firstSeenAt" timestamp(3), "lastSeenAt" timestamp(3), "resolvedAt" timestamp(3))
ON CONFLICT (id) DO UPDATE SET "ruleId" = EXCLUDED."ruleId", severity = EXCLUDED.severity, title = EXCLUDED.title, evidence = EXCLUDED.evidence,
  remedy = EXCLUDED.remedy, state = EXCLUDED.state, "firstSeenAt" = EXCLUDED."firstSeenAt", "lastSeenAt" = EXCLUDED."lastSeenAt", "resolvedAt" = EXCLUDED."resolvedAt"`;

/** $1: TransitionRow[]. */
export const INSERT_TRANSITIONS = `
INSERT INTO "FindingTransition" ("deviceId", "findingId", "ruleId", key, "fromState", "toState", at, "reportId")
SELECT * FROM json_to_recordset($1::json) AS t("deviceId" uuid, "findingId" uuid, "ruleId" text, key text, "fromState" text, "toState" text, at timestamp(3), "reportId" text)`;

/** A rename goes into the device's history before the row takes the new name. $1: device rows. */
export const INSERT_HOSTNAME_CHANGES = `
INSERT INTO "HostnameChange" ("deviceId", "fromHostname", "toHostname", "reportId", "changedAt")
SELECT d.id, d.hostname, t.hostname, t."reportId", $2::timestamp(3)
FROM "Device" d JOIN json_to_recordset($1::json) AS t(id uuid, hostname text, "reportId" text) ON d.id = t.id
WHERE d.hostname IS DISTINCT FROM t.hostname`;

/** The summary of each stored report's device (host facts, versions, times, health, fingerprint). $1: device rows. */
export const UPDATE_DEVICES = `
UPDATE "Device" d SET hostname = t.hostname, "serialNumber" = t."serialNumber", "hardwareModel" = t."hardwareModel",
  architecture = t.architecture, platform = t.platform, "consoleUser" = t."consoleUser",
  "osVersion" = CASE WHEN t."hasOs" THEN t."osVersion" ELSE d."osVersion" END,
  "zoomVersion" = CASE WHEN t."hasZoom" THEN t."zoomVersion" ELSE d."zoomVersion" END,
  "lastSeenAt" = $2::timestamp(3), "lastReportAt" = $2::timestamp(3), "lastCollectedAt" = t."collectedAt",
  "reportCount" = d."reportCount" + 1, "lastReportId" = t."reportId",
  health = t.health, "healthRank" = t."healthRank", "problemSince" = t."problemSince", "openFindings" = t."openFindings", "unknownSections" = ARRAY(SELECT json_array_elements_text(t."unknownSections")),
  "notReportedSections" = ARRAY(SELECT json_array_elements_text(t."notReportedSections")), "stateHash" = t."stateHash"
FROM json_to_recordset($1::json) AS t(id uuid, "reportId" text, hostname text, "serialNumber" text, "hardwareModel" text, architecture text, platform text, "consoleUser" text,
  "hasOs" boolean, "osVersion" text, "hasZoom" boolean, "zoomVersion" text, "collectedAt" timestamp(3), health text, "healthRank" int, "problemSince" timestamp(3), "openFindings" int, "unknownSections" json, "notReportedSections" json, "stateHash" text)
WHERE d.id = t.id`;

/**
 * Devices whose report changed nothing (times, count, newest report id) or came late (lastSeenAt
 * only: collectedAt and reportId null). $1: [{id, collectedAt, reportId}].
 */
export const UPDATE_TIMES = `
UPDATE "Device" d SET "lastSeenAt" = $2::timestamp(3),
  "lastReportAt" = CASE WHEN t."collectedAt" IS NULL THEN d."lastReportAt" ELSE $2::timestamp(3) END,
  "lastCollectedAt" = COALESCE(t."collectedAt", d."lastCollectedAt"),
  "reportCount" = d."reportCount" + CASE WHEN t."reportId" IS NULL THEN 0 ELSE 1 END, "lastReportId" = COALESCE(t."reportId", d."lastReportId")
FROM json_to_recordset($1::json) AS t(id uuid, "collectedAt" timestamp(3), "reportId" text) WHERE d.id = t.id`;
