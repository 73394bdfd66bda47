/* sqlfn.c — see sqlfn.h. */
#include "sqlfn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codes.h"
#include "defs.h"
#include "idcard.h"
#include "pinyin.h"
#include "rx.h"
#include "text.h"
#include "util.h"

void
sqlfn_today(char out[11])
{
	static _Thread_local time_t today_at;
	static _Thread_local char today_s[11];
	const char *env = getenv("JZG_TODAY");
	time_t now;
	struct tm tm;

	if (env != NULL && strlen(env) == 10) {
		memcpy(out, env, 11);
		return;
	}
	/* localtime_r reads the time zone (and may stat /etc/localtime) on
	 * every call; idcard_valid() asks for today once per person of a
	 * whole-file check.  Kept per thread for the second it was made in. */
	now = time(NULL);
	if (now != today_at || today_s[0] == '\0') {
		localtime_r(&now, &tm);
		strftime(today_s, sizeof today_s, "%Y-%m-%d", &tm);
		today_at = now;
	}
	memcpy(out, today_s, 11);
}

uint32_t
sqlfn_rand(struct sqlfn_ctx *ctx, uint32_t n)
{
	/* splitmix64: small, seedable, good enough for synthetic data */
	uint64_t z = (ctx->rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return n ? (uint32_t)(z % n) : 0;
}

static const char *
arg_text(sqlite3_value *v)
{
	return sqlite3_value_type(v) == SQLITE_NULL ? NULL : (const char *)sqlite3_value_text(v);
}

static void
fn_today(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	char d[11];

	(void)argc; (void)argv;
	sqlfn_today(d);
	sqlite3_result_text(c, d, -1, SQLITE_TRANSIENT);
}

/* Does space-separated list hold code? */
static int
list_has(const char *list, const char *code)
{
	size_t n = strlen(code);

	if (n == 0)
		return 0;
	for (const char *p = list; (p = strstr(p, code)) != NULL; p++)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

static void
fn_selected(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *list = arg_text(argv[0]), *code = arg_text(argv[1]);

	(void)argc;
	if (list == NULL || code == NULL)
		sqlite3_result_int(c, 0);
	else
		sqlite3_result_int(c, list_has(list, code));
}

static void
fn_count_selected(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *list = arg_text(argv[0]);
	int n = 0, in = 0;

	(void)argc;
	for (const char *p = list ? list : ""; *p; p++) {
		if (*p != ' ' && !in)
			n++;
		in = *p != ' ';
	}
	sqlite3_result_int(c, n);
}

static void
fn_idcard_valid(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *id = arg_text(argv[0]);
	char today[11];

	(void)argc;
	if (id == NULL) {
		sqlite3_result_null(c);
		return;
	}
	sqlfn_today(today);
	sqlite3_result_int(c, idcard_validate(id, today) == IDCARD_OK);
}

static void
fn_idcard_birth(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *id = arg_text(argv[0]);
	char d[11];

	(void)argc;
	if (id != NULL && idcard_birth(id, d))
		sqlite3_result_text(c, d, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(c);
}

static void
fn_idcard_sex(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *id = arg_text(argv[0]);
	int s;

	(void)argc;
	if (id != NULL && (s = idcard_sex(id)) != 0)
		sqlite3_result_text(c, s == 1 ? "1" : "2", 1, SQLITE_STATIC);
	else
		sqlite3_result_null(c);
}

static void
fn_code_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct sqlfn_ctx *ctx = sqlite3_user_data(c);
	const char *tab = arg_text(argv[0]), *code = arg_text(argv[1]);
	const struct code_table *t;
	const struct code *r;

	(void)argc;
	if (tab == NULL || code == NULL || ctx->defs == NULL ||
	    (t = codes_table(ctx->defs->codes, tab)) == NULL || (r = codes_find(t, code)) == NULL)
		sqlite3_result_null(c);
	else
		sqlite3_result_text(c, r->name, -1, SQLITE_TRANSIENT);
}

/* X REGEXP Y calls regexp(Y, X): argv[0] is the pattern (rx.h). */
static void
fn_regexp(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct rx *x = sqlite3_get_auxdata(c, 0);
	const char *pat = arg_text(argv[0]), *s = arg_text(argv[1]);

	(void)argc;
	if (pat == NULL || s == NULL) {
		sqlite3_result_null(c);
		return;
	}
	if (x == NULL) {
		/* rx owns it: auxdata only saves the look-up on later rows */
		if ((x = rx_get(pat)) == NULL) {
			sqlite3_result_error(c, "正则表达式无效", -1);
			return;
		}
		sqlite3_set_auxdata(c, 0, (void *)x, NULL);
	}
	sqlite3_result_int(c, rx_matches(x, s));
}

static void
fn_py_match(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const char *name = arg_text(argv[0]), *q = arg_text(argv[1]);

	(void)argc;
	sqlite3_result_int(c, name != NULL && q != NULL && pinyin_match(name, q));
}

static void
fn_rnd(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct sqlfn_ctx *ctx = sqlite3_user_data(c);
	sqlite3_int64 n = sqlite3_value_int64(argv[0]);

	(void)argc;
	sqlite3_result_int64(c, n <= 0 ? 0 : (sqlite3_int64)sqlfn_rand(ctx, (uint32_t)n));
}

static void
fn_pick(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct sqlfn_ctx *ctx = sqlite3_user_data(c);

	if (argc == 0)
		sqlite3_result_null(c);
	else
		sqlite3_result_value(c, argv[sqlfn_rand(ctx, (uint32_t)argc)]);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const surname[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
	"郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
	"魏", "吕", "丁", "任", "沈", "欧阳", "司马", "诸葛", "上官"
};
static const char *const given_m[] = {
	"伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
	"建国", "志强", "文博", "浩然", "子轩", "国庆", "海峰", "俊杰", "德明", "学文"
};
static const char *const given_f[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "玉兰", "婷", "雪", "琳",
	"慧", "丹", "晓燕", "春梅", "海燕", "佳怡", "欣怡", "思雨", "雨桐", "淑珍", "美玲"
};
/* Names with the middle dot, as written for Uyghur, Kazakh and other names. */
static const char *const dotted_m[] = {
	"艾力·买买提", "阿不都·热合曼", "努尔兰·别克", "吐尔逊·艾买提", "买买提·吐尔洪", "叶尔兰·哈森"
};
static const char *const dotted_f[] = {
	"阿依古丽·买买提", "古丽娜尔·艾山", "热依拉·艾买提", "帕提曼·吐尔逊", "迪丽拜尔·阿不都", "阿依努尔·哈力克"
};

static void
fn_demo_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct sqlfn_ctx *ctx = sqlite3_user_data(c);
	const char *sex = argc > 0 ? arg_text(argv[0]) : NULL;
	int female = sex != NULL && strcmp(sex, "2") == 0;
	char buf[64];

	if (sqlfn_rand(ctx, 12) == 0) {
		const char *n = female ? dotted_f[sqlfn_rand(ctx, NELEM(dotted_f))] :
		    dotted_m[sqlfn_rand(ctx, NELEM(dotted_m))];

		sqlite3_result_text(c, n, -1, SQLITE_STATIC);
		return;
	}
	snprintf(buf, sizeof buf, "%s%s", surname[sqlfn_rand(ctx, NELEM(surname))],
	    female ? given_f[sqlfn_rand(ctx, NELEM(given_f))] : given_m[sqlfn_rand(ctx, NELEM(given_m))]);
	sqlite3_result_text(c, buf, -1, SQLITE_TRANSIENT);
}

static const char *const area[] = {
	"110101", "120103", "130102", "140105", "150102", "210102", "220102", "230102", "310101",
	"320102", "330102", "340102", "350102", "360102", "370102", "410102", "420102", "430102",
	"440103", "450102", "460105", "500101", "510104", "520102", "530102", "540102", "610102",
	"620102", "630102", "640104", "650102"
};

/* Remember id (as a number: 17 digits + check) so that one demo run never
 * hands out the same 身份证件号 twice; returns 0 when it was seen before. */
static int
idseen_add(struct sqlfn_ctx *ctx, const char *id)
{
	uint64_t key = 0;
	size_t i;

	for (const char *p = id; *p; p++)
		key = key * 11 + (uint64_t)(*p == 'X' ? 10 : *p - '0');
	key |= 1;   /* 0 marks an empty slot */
	if (ctx->idn * 2 >= ctx->idcap) {
		size_t cap = ctx->idcap ? ctx->idcap * 2 : 4096;
		uint64_t *t = xcalloc(cap, sizeof *t);

		for (size_t k = 0; k < ctx->idcap; k++)
			if (ctx->idseen[k] != 0) {
				for (i = (size_t)(ctx->idseen[k] % cap); t[i] != 0; i = (i + 1) % cap)
					;
				t[i] = ctx->idseen[k];
			}
		free(ctx->idseen);
		ctx->idseen = t;
		ctx->idcap = cap;
	}
	for (i = (size_t)(key % ctx->idcap); ctx->idseen[i] != 0; i = (i + 1) % ctx->idcap)
		if (ctx->idseen[i] == key)
			return 0;
	ctx->idseen[i] = key;
	ctx->idn++;
	return 1;
}

void
sqlfn_ctx_done(struct sqlfn_ctx *ctx)
{
	free(ctx->idseen);
	ctx->idseen = NULL;
	ctx->idcap = ctx->idn = 0;
}

static void
fn_demo_idno(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct sqlfn_ctx *ctx = sqlite3_user_data(c);
	const char *birth = arg_text(argv[0]), *sex = argc > 1 ? arg_text(argv[1]) : NULL;
	char id[19];
	int tries = 0;

	if (birth == NULL || strlen(birth) < 10) {
		sqlite3_result_null(c);
		return;
	}
	do {
		unsigned seq = sqlfn_rand(ctx, 500) * 2;              /* even: female */

		if (sex == NULL || strcmp(sex, "2") != 0)
			seq += 1;                                     /* odd: male */
		snprintf(id, sizeof id, "%s%.4s%.2s%.2s%03u", area[sqlfn_rand(ctx, NELEM(area))],
		    birth, birth + 5, birth + 8, seq);
		id[17] = idcard_check_char(id);
		id[18] = '\0';
	} while (!idseen_add(ctx, id) && ++tries < 64);
	sqlite3_result_text(c, id, 18, SQLITE_TRANSIENT);
}

struct demo_words {
	const char *kind;
	const char *const *w;
	size_t n;
};

static const char *const w_school[] = {
	"北京师范大学", "华东师范大学", "东北师范大学", "华中师范大学", "陕西师范大学", "西南大学",
	"湖南师范大学", "河南大学", "曲阜师范大学", "西北师范大学", "云南师范大学", "县第一中学"
};
static const char *const w_unit[] = {
	"县第一中学", "县实验小学", "镇中心小学", "县教育局", "市第二中学", "乡中心学校",
	"县职业中专", "县特殊教育学校", "县第一幼儿园", "市教育科学研究所"
};
static const char *const w_major[] = {
	"汉语言文学", "数学与应用数学", "英语", "物理学", "化学", "生物科学", "历史学", "地理科学",
	"思想政治教育", "体育教育", "音乐学", "美术学", "小学教育", "学前教育", "特殊教育", "计算机科学与技术"
};
static const char *const w_title[] = {
	"农村小学阅读教学策略研究", "初中数学分层作业设计研究", "信息技术与学科教学融合实践",
	"县域义务教育均衡发展研究", "乡村教师专业发展路径研究", "高中物理实验教学改进"
};
static const char *const w_org[] = {
	"省教育厅", "市教育局", "县教育局", "教育部", "省教育科学研究院", "市教师进修学校"
};
static const char *const w_subject[] = {
	"语文", "数学", "英语", "物理", "化学", "生物", "历史", "地理", "道德与法治", "音乐", "体育", "美术"
};
static const char *const w_address[] = {
	"县城关镇人民路12号", "县东城街道建设路8号", "镇中心街3号", "县西关大街56号"
};
static const char *const w_text[] = {
	"无", "按要求完成", "表现良好", "详见附件"
};

static const struct demo_words words[] = {
	{ "school", w_school, NELEM(w_school) }, { "unit", w_unit, NELEM(w_unit) },
	{ "major", w_major, NELEM(w_major) }, { "title", w_title, NELEM(w_title) },
	{ "org", w_org, NELEM(w_org) }, { "subject", w_subject, NELEM(w_subject) },
	{ "address", w_address, NELEM(w_address) }, { "text", w_text, NELEM(w_text) },
};

static void
fn_demo_text(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	struct sqlfn_ctx *ctx = sqlite3_user_data(c);
	const char *kind = argc > 0 ? arg_text(argv[0]) : "text";
	char buf[64];

	if (kind == NULL)
		kind = "text";
	if (strcmp(kind, "phone") == 0) {
		snprintf(buf, sizeof buf, "0%u-%u", 300 + sqlfn_rand(ctx, 600), 2000000 + sqlfn_rand(ctx, 7000000));
	} else if (strcmp(kind, "mobile") == 0) {
		static const char *const pre[] = { "138", "139", "150", "186", "177", "133" };

		snprintf(buf, sizeof buf, "%s%08u", pre[sqlfn_rand(ctx, NELEM(pre))], sqlfn_rand(ctx, 100000000));
	} else if (strcmp(kind, "email") == 0) {
		snprintf(buf, sizeof buf, "t%06u@example.edu.cn", sqlfn_rand(ctx, 1000000));
	} else {
		for (size_t i = 0; i < NELEM(words); i++)
			if (strcmp(words[i].kind, kind) == 0) {
				sqlite3_result_text(c, words[i].w[sqlfn_rand(ctx, (uint32_t)words[i].n)], -1,
				    SQLITE_STATIC);
				return;
			}
		sqlite3_result_text(c, w_text[sqlfn_rand(ctx, NELEM(w_text))], -1, SQLITE_STATIC);
		return;
	}
	sqlite3_result_text(c, buf, -1, SQLITE_TRANSIENT);
}

/* text_ok(set label, "label1|label2|…", value1, value2, …): 1 when every
 * text value is clean (text.h), else an SQL error that says which and why,
 * "基本信息的“姓名”含有 Esc 控制字符（不是经本程序录入的值）".  Put in the
 * WHERE of the statement that copies the rows (merge): no second pass over
 * them; the labels in one argument, as the call per row is most of the
 * cost. */
static void
fn_text_ok(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *why, *label;
		char *m;

		if (sqlite3_value_type(argv[i]) != SQLITE_TEXT)
			continue;
		why = text_fault_n((const char *)sqlite3_value_text(argv[i]), (size_t)sqlite3_value_bytes(argv[i]),
		    TEXT_ANY);
		if (why == NULL)
			continue;
		label = (const char *)sqlite3_value_text(argv[1]);
		for (int k = 2; k < i && label != NULL; k++)
			if ((label = strchr(label, '|')) != NULL)
				label++;
		m = xasprintf("%s的“%.*s”%s（不是经本程序录入的值）", sqlite3_value_text(argv[0]),
		    label ? (int)strcspn(label, "|") : 1, label ? label : "?", why);
		sqlite3_result_error(c, m, -1);
		free(m);
		return;
	}
	sqlite3_result_int(c, 1);
}

int
sqlfn_register(sqlite3 *db, struct sqlfn_ctx *ctx)
{
	static const struct {
		const char *name;
		int nargs;
		int det;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "today", 0, 0, fn_today },
		{ "selected", 2, 1, fn_selected },
		{ "count_selected", 1, 1, fn_count_selected },
		{ "idcard_valid", 1, 0, fn_idcard_valid },
		{ "idcard_birth", 1, 1, fn_idcard_birth },
		{ "idcard_sex", 1, 1, fn_idcard_sex },
		{ "code_name", 2, 1, fn_code_name },
		{ "regexp", 2, 1, fn_regexp },
		{ "py_match", 2, 1, fn_py_match },
		{ "rnd", 1, 0, fn_rnd },
		{ "pick", -1, 0, fn_pick },
		{ "demo_name", 1, 0, fn_demo_name },
		{ "demo_idno", 2, 0, fn_demo_idno },
		{ "demo_text", 1, 0, fn_demo_text },
		{ "text_ok", -1, 1, fn_text_ok },
	};
	int rc = SQLITE_OK;

	for (size_t i = 0; i < NELEM(fns) && rc == SQLITE_OK; i++)
		rc = sqlite3_create_function(db, fns[i].name, fns[i].nargs,
		    SQLITE_UTF8 | (fns[i].det ? SQLITE_DETERMINISTIC : 0), ctx, fns[i].fn, NULL, NULL);
	return rc;
}
