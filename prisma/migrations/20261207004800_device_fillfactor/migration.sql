-- Room on each Device page for the next version of its rows. The heartbeats (lastSeenAt) and the
-- fast path of unchanged reports (lastSeenAt, lastReportAt, reportCount, lastReportId) rewrite
-- Device rows by the thousand a second; none of those columns is indexed, so Postgres can update
-- in place on the same page (a HOT update: no new entry in the table's seven indexes) when the
-- page has room. Filled to 100 %, pages had none: 2.9-4.5 s for 100,000 such updates of 20,000
-- rows, 20-90 % of them HOT; at 70 %, 2.4-2.6 s and 92-100 % HOT; at 50 %, 2.0 s (measured on the
-- 2-CPU machine, docs/performance.md). 70: most of the gain for a third more pages. Applies to
-- pages written from now on; VACUUM FULL or pg_repack rewrites existing ones.
ALTER TABLE "Device" SET (fillfactor = 70);
