/* workflow_schema.h — the fixed tables of schema version 4 (issue 7):
 * operators, the audit trail, the review history and the cache of check
 * results the progress board reads.  Included by store.c (base schema and
 * migration step 4) so the SQL lives next to the modules that use it.
 *
 * The triggers that fill `audit` depend on the definitions (one per s_<set>
 * table) and are created by audit_sync (audit.c), not here.  Only the
 * append-only guard is fixed.  IF NOT EXISTS throughout: a file whose
 * version number was lowered by hand still migrates. */
#ifndef JZG_WORKFLOW_SCHEMA_H
#define JZG_WORKFLOW_SCHEMA_H

#define WORKFLOW_SCHEMA \
	"CREATE TABLE IF NOT EXISTS operator(" \
	"  id INTEGER PRIMARY KEY," \
	"  name TEXT NOT NULL UNIQUE," \
	"  role TEXT NOT NULL CHECK(role IN ('keyer','reviewer','admin'))," \
	"  pwhash TEXT NOT NULL," \
	"  school_id INTEGER REFERENCES school(id) ON DELETE SET NULL," \
	"  disabled INTEGER NOT NULL DEFAULT 0," \
	"  created TEXT NOT NULL DEFAULT (datetime('now','localtime')));" \
	"CREATE TABLE IF NOT EXISTS audit(" \
	"  id INTEGER PRIMARY KEY," \
	"  at TEXT NOT NULL DEFAULT (datetime('now','localtime'))," \
	"  actor TEXT," \
	"  path TEXT NOT NULL," \
	"  behalf TEXT," \
	"  staff_id INTEGER," \
	"  set_name TEXT," \
	"  row_id INTEGER," \
	"  op TEXT NOT NULL," \
	"  field TEXT," \
	"  old," \
	"  new);" \
	"CREATE INDEX IF NOT EXISTS audit_staff ON audit(staff_id, id);" \
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN" \
	"  SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN" \
	"  SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END;" \
	"CREATE TABLE IF NOT EXISTS review(" \
	"  id INTEGER PRIMARY KEY," \
	"  staff_id INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE," \
	"  at TEXT NOT NULL DEFAULT (datetime('now','localtime'))," \
	"  actor TEXT," \
	"  from_state TEXT NOT NULL," \
	"  to_state TEXT NOT NULL," \
	"  reason TEXT);" \
	"CREATE INDEX IF NOT EXISTS review_staff ON review(staff_id, id);" \
	"CREATE TABLE IF NOT EXISTS check_cache(" \
	"  staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE," \
	"  errors INTEGER NOT NULL," \
	"  warnings INTEGER NOT NULL," \
	"  sig INTEGER NOT NULL DEFAULT 0);" /* signature_state: 0 none, 1 signed, 2 stale */ \
	"CREATE INDEX IF NOT EXISTS staff_school_state ON staff(school_id, state);"

#endif
