/* signature.c — see signature.h. */
#include "signature.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "entry.h"
#include "sqlfn.h"
#include "calendar.h"
#include "util.h"

/* Crockford's alphabet: no I, L, O, U, so a code read off paper and typed
 * back cannot be confused with 1 or 0. */
static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* SHA-256 from libsodium (already needed for passwords): the same digest
 * nettle gave, so codes on sheets printed before still match. */
static void
hash_str(crypto_hash_sha256_state *h, const char *s)
{
	if (s != NULL)
		crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
}

void
signature_code(const struct pview *pv, char out[SIGNATURE_CODE_LEN + 1])
{
	crypto_hash_sha256_state h;
	unsigned char dig[crypto_hash_sha256_BYTES];
	uint64_t bits = 0;

	/* Separators are control characters that no value can hold (the
	 * entry screens accept printable characters only), so the encoding
	 * is unambiguous. */
	crypto_hash_sha256_init(&h);
	hash_str(&h, "jzg-sheet-1\x1e");
	for (size_t i = 0; i < pv->nset; i++) {
		const struct pview_set *ps = &pv->set[i];

		hash_str(&h, ps->title);
		hash_str(&h, "\x1e");
		for (size_t r = 0; r < ps->nrow; r++) {
			for (size_t j = 0; j < ps->s->nfield; j++) {
				hash_str(&h, ps->s->field[j].v[FC_LABEL]);
				hash_str(&h, "\x1f");
				hash_str(&h, ps->val[r * ps->s->nfield + j]);
				hash_str(&h, "\x1f");
				/* last year's value printed beside a changed one (issue
				 * 19); nothing for people without marks, whose codes stay */
				if (ps->prior != NULL && ps->prior[r * ps->s->nfield + j] != NULL) {
					hash_str(&h, "\x1a");
					hash_str(&h, ps->prior[r * ps->s->nfield + j]);
					hash_str(&h, "\x1f");
				}
			}
			if (ps->added != NULL && ps->added[r])
				hash_str(&h, "\x1a新增\x1f");
			hash_str(&h, "\x1d");
		}
		hash_str(&h, "\x1c");
	}
	/* the photo is on the paper too; people without one keep the codes
	 * they had before photos existed */
	if (pv->photo != NULL) {
		hash_str(&h, "照片\x1e");
		hash_str(&h, pv->photo_info.hash);
		hash_str(&h, "\x1c");
	}
	crypto_hash_sha256_final(&h, dig);
	for (int k = 0; k < 5; k++)
		bits = bits << 8 | dig[k];
	for (int k = 0; k < SIGNATURE_CODE_LEN; k++)
		out[k] = b32[(bits >> (35 - 5 * k)) & 31];
	out[SIGNATURE_CODE_LEN] = '\0';
}

enum jzg_status
signature_current(struct store *st, sqlite3_int64 staff_id, char out[SIGNATURE_CODE_LEN + 1],
    char **cause)
{
	const struct template_def *t = entry_template(st, staff_id);
	struct pview_loader *l;
	struct pview *pv;
	enum jzg_status rc;

	if (t == NULL)
		return jzg_fail(cause, JZG_ERR_NOTFOUND, "文件中没有这名教职工，或其学校的模板未知");
	if ((rc = pview_loader_new(st, t, &l, cause)) != JZG_OK)
		return rc;
	rc = pview_load(l, staff_id, &pv, cause);
	if (rc == JZG_OK) {
		signature_code(pv, out);
		pview_free(pv);
	}
	pview_loader_free(l);
	return rc;
}

enum jzg_status
signature_last(struct store *st, sqlite3_int64 staff_id, struct signature_rec *rec, char **cause)
{
	sqlite3_stmt *s;
	enum jzg_status rc;

	memset(rec, 0, sizeof *rec);
	if ((rc = store_prepare(st, "SELECT code, signed_on FROM signature WHERE staff_id = ? ORDER BY id DESC LIMIT 1",
	    &s, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(s, 1, staff_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(rec->code, sizeof rec->code, "%s", (const char *)sqlite3_column_text(s, 0));
		snprintf(rec->signed_on, sizeof rec->signed_on, "%s", (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	return JZG_OK;
}

enum signature_state
signature_state_of(const struct pview *pv, const struct signature_rec *rec)
{
	char code[SIGNATURE_CODE_LEN + 1];

	if (rec->code[0] == '\0')
		return SIGNATURE_NONE;
	signature_code(pv, code);
	return strcmp(code, rec->code) == 0 ? SIGNATURE_SIGNED : SIGNATURE_STALE;
}

enum jzg_status
signature_state(struct store *st, sqlite3_int64 staff_id, enum signature_state *state, char **cause)
{
	struct signature_rec rec;
	char code[SIGNATURE_CODE_LEN + 1];
	enum jzg_status rc;

	*state = SIGNATURE_NONE;
	if ((rc = signature_last(st, staff_id, &rec, cause)) != JZG_OK || rec.code[0] == '\0')
		return rc;
	if ((rc = signature_current(st, staff_id, code, cause)) != JZG_OK)
		return rc;
	*state = strcmp(code, rec.code) == 0 ? SIGNATURE_SIGNED : SIGNATURE_STALE;
	return JZG_OK;
}

const char *
signature_state_text(enum signature_state s)
{
	switch (s) {
	case SIGNATURE_SIGNED: return "已签字";
	case SIGNATURE_STALE:  return "已签字后修改，需重新打印签字";
	default:               return "未签字";
	}
}

/* A real calendar date YYYY-MM-DD, not before 1900. */
static int
valid_date(const char *d)
{
	int y;

	return date_read(d, strlen(d), 1, &y, NULL, NULL) && y >= 1900;
}

enum jzg_status
signature_mark(struct store *st, sqlite3_int64 staff_id, const char *date, const char *paper_code,
    char code_out[SIGNATURE_CODE_LEN + 1], char **cause)
{
	char code[SIGNATURE_CODE_LEN + 1], today[11];
	sqlite3_stmt *s;
	enum jzg_status rc;
	int sr;

	sqlfn_today(today);
	if (date == NULL)
		date = today;
	if (!valid_date(date))
		return jzg_fail(cause, JZG_ERR_INVALID, "签字日期 %s 不是有效日期，请写成 年-月-日，如 %s", date, today);
	if (strcmp(date, today) > 0)
		return jzg_fail(cause, JZG_ERR_INVALID, "签字日期 %s 晚于今天（%s），请核对", date, today);
	if ((rc = signature_current(st, staff_id, code, cause)) != JZG_OK)
		return rc;
	if (paper_code != NULL) {
		char want[32] = { 0 };
		size_t n = 0;

		/* Typed off paper: ignore case, spaces and dashes. */
		for (const char *c = paper_code; *c != '\0' && n < sizeof want - 1; c++)
			if (*c != ' ' && *c != '-')
				want[n++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		if (strcmp(want, code) != 0)
			return jzg_fail(cause, JZG_ERR_INVALID,
			    "纸上的校验码 %s 与当前数据的校验码 %s 不符：打印后数据已修改，这张确认表作废，请重新打印签字",
			    paper_code, code);
	}
	if ((rc = store_prepare(st, "INSERT INTO signature(staff_id, code, signed_on) VALUES(?, ?, ?)", &s, cause)) != JZG_OK)
		return rc;
	sqlite3_bind_int64(s, 1, staff_id);
	sqlite3_bind_text(s, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, date, -1, SQLITE_STATIC);
	sr = sqlite3_step(s);
	sqlite3_finalize(s);
	if (sr != SQLITE_DONE)
		return jzg_fail(cause, JZG_ERR_DB, "记录签字失败：%s", store_errstr(sr));
	if (code_out != NULL)
		memcpy(code_out, code, sizeof code);
	return JZG_OK;
}
