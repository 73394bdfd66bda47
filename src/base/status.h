/* status.h — the one status enum of the project, plus a cause string.
 *
 * Core modules return enum jzg_status; when they fail they may also hand back
 * a Chinese explanation through a `char **cause` out-parameter, which the
 * caller frees (tmux's args_strtonum pattern).  No curses. */
#ifndef JZG_STATUS_H
#define JZG_STATUS_H

#define JZG_STATUS_INFO(_) \
	_(JZG_OK,           "成功") \
	_(JZG_ERR_NOMEM,    "内存不足") \
	_(JZG_ERR_IO,       "读写文件失败") \
	_(JZG_ERR_NOTFOUND, "找不到") \
	_(JZG_ERR_FORMAT,   "格式错误") \
	_(JZG_ERR_DEFS,     "指标定义有错误") \
	_(JZG_ERR_DB,       "数据库错误") \
	_(JZG_ERR_FOREIGN,  "不是本程序的数据文件") \
	_(JZG_ERR_NEWER,    "数据文件来自更新版本的程序") \
	_(JZG_ERR_INVALID,  "数据不合规则") \
	_(JZG_ERR_EXISTS,   "已存在") \
	_(JZG_ERR_USAGE,    "命令用法错误")

enum jzg_status {
#define JZG_STATUS_ENUM(name, text) name,
	JZG_STATUS_INFO(JZG_STATUS_ENUM)
#undef JZG_STATUS_ENUM
};

/* Chinese text for a status; static storage. */
const char *jzg_strstatus(enum jzg_status st);

/* Store a formatted cause in *cause (if cause is not NULL), replacing and
 * freeing what was there; returns st so callers can write
 * `return jzg_fail(cause, JZG_ERR_IO, "…%s", x);`. */
enum jzg_status jzg_fail(char **cause, enum jzg_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
