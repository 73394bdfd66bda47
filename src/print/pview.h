/* pview.h — a person's data as it is printed: every set of the person's
 * template in order, field labels, and display values (codes shown as their
 * names, several codes joined with "、").  The confirmation sheet draws it
 * and the check code (signature.c) hashes it, so paper and code agree by
 * construction.  No curses.
 *
 * A pview_loader prepares one statement per set of a template once, so that
 * a school batch of thousands of people costs one query per set and person
 * (two with a baseline: last year's records, matched by recmatch.h). */
#ifndef JZG_PVIEW_H
#define JZG_PVIEW_H

#include <sqlite3.h>
#include <stddef.h>

#include "photo.h"
#include "store.h"

struct pview_set {
	const struct set_def *s;       /* the template's set; not owned */
	char                 *title;   /* "教学科研成果及获奖·项目（课题）" or the label */
	size_t                nrow;    /* records (1 for a one-record set, even when absent) */
	char                **val;     /* nrow × s->nfield display values; NULL = empty */
	/* Against last year's data (the baseline, issue 19), when the person
	 * has one: nrow × s->nfield, last year's display value of each value
	 * that changed ("" when it was empty), NULL where unchanged; and per
	 * row 1 for a record last year's data lacks.  NULL without a baseline. */
	char                **prior;
	unsigned char        *added;
	/* With a baseline: last year's records this year lacks (removed, or a
	 * one-record set now blank), each as pview_record_label shows it. */
	char                **gone;
	size_t                ngone;
	/* Per row, the record it shows: its id (a many-record set) or the
	 * staff id (a one-record set); 0 for a one-record set read blank.  The
	 * client finds its records' marks by it. */
	sqlite3_int64        *rid;
};

struct pview {
	sqlite3_int64              staff_id;
	const struct template_def *tpl;          /* not owned */
	char                      *school_name;
	char                      *school_code;
	char                      *name;         /* 姓名 (settings person_name), "" if empty */
	char                      *id_no;        /* 身份证件号 (settings person_id), "" if empty */
	struct pview_set          *set;          /* tpl->nset entries, template order */
	size_t                     nset;
	int                        person_set;   /* index of the person set (基本信息) in set, or -1 */
	int                        linked;       /* the person is in last year's data: set[].prior is filled */
	unsigned char             *photo;        /* the photo's JPEG bytes, or NULL */
	size_t                     photo_len;
	struct photo_info          photo_info;   /* pixels and hash, when photo */
};

struct pview_loader;

/* Prepare to read people of template tpl from st.  Caller frees with
 * pview_loader_free (before closing st). */
enum jzg_status pview_loader_new(struct store *st, const struct template_def *tpl,
    struct pview_loader **out, char **cause);
void pview_loader_free(struct pview_loader *l);

/* Read person staff_id (who must be in a school of the loader's template).
 * Caller frees *out with pview_free. */
enum jzg_status pview_load(struct pview_loader *l, sqlite3_int64 staff_id, struct pview **out,
    char **cause);
void pview_free(struct pview *pv);

/* Display value of a stored value of field f (NULL or "" → NULL): the code
 * name for coded fields (the code itself when the table lacks it), decimals
 * with two places.  Returns a new string (caller frees). */
char *pview_display(const struct field_def *f, const char *stored);

/* A record of set s named by its natural key (key as set_key_sql makes
 * it): each key field's value as printed, separated by spaces
 * ("2005-09 硕士研究生"); "（键为空）" when every key value is empty, ""
 * for a set without key fields.  Returns a new string (caller frees). */
char *pview_record_label(const struct set_def *s, const char *key);

#endif
