/* idcard.h — 公民身份号码 (GB 11643-1999): check character, birth date, sex;
 * and normalisation of what people type.  No curses. */
#ifndef JZG_IDCARD_H
#define JZG_IDCARD_H

enum idcard_result {
	IDCARD_OK,          /* 18 characters, valid date, valid check character */
	IDCARD_OLD15,       /* a valid-looking first-generation 15-digit number */
	IDCARD_BAD_LENGTH,
	IDCARD_BAD_CHAR,    /* not 17 digits + digit/X */
	IDCARD_BAD_DATE,    /* digits 7–14 are not a real date (or are in the future) */
	IDCARD_BAD_CHECK    /* check character does not match */
};

/* The check character for the first 17 digits ("10X98765432"[sum % 11]). */
char idcard_check_char(const char *first17);
/* Classify id (already normalised).  today is "YYYY-MM-DD" or NULL. */
enum idcard_result idcard_validate(const char *id, const char *today);
/* Birth date "YYYY-MM-DD" of an 18- or 15-digit number into out[11];
 * returns 0 when there is none (bad length, digits or date). */
int idcard_birth(const char *id, char out[11]);
/* 1 男 / 2 女 from digit 17 (18-digit) or 15 (15-digit); 0 when unknown. */
int idcard_sex(const char *id);
/* Full-width digits and letters to ASCII, drop spaces, lower-case x to X.
 * Returns a new string (caller frees). */
char *idcard_normalise(const char *s);

/* The number with every character but the last four replaced by '*', as
 * reports and screens show it.  Returns a new string (caller frees). */
char *idcard_mask(const char *id);

#endif
