/* photo_schema.h — the photo table of schema version 5 (issue 16), apart
 * from photo.h so that store.c can create it without including the module
 * that uses the store (as workflow_schema.h). */
#ifndef JZG_PHOTO_SCHEMA_H
#define JZG_PHOTO_SCHEMA_H

/* Schema version 5 (store.c: base schema and migration step 5).  hash is
 * the SHA-256 of data in hex: merge skips an identical photo by it. */
#define PHOTO_SCHEMA \
	"CREATE TABLE IF NOT EXISTS photo(" \
	"  staff_id INTEGER PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE," \
	"  hash TEXT NOT NULL," \
	"  bytes INTEGER NOT NULL," \
	"  width INTEGER NOT NULL," \
	"  height INTEGER NOT NULL," \
	"  data BLOB NOT NULL," \
	"  updated TEXT NOT NULL DEFAULT (datetime('now','localtime')));"

#endif
