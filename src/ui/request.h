/* request.h — every user action, its Chinese label and help, and the keys
 * bound to it.  The bottom-line legend, the help screen and the dispatch all
 * come from these two tables (tig's REQ_INFO).  UI only. */
#ifndef JZG_REQUEST_H
#define JZG_REQUEST_H

#define REQUEST_INFO(_) \
	_(REQ_HELP,   "帮助", "查看当前指标的说明和按键一览") \
	_(REQ_PICK,   "选码", "打开代码选择框；也可直接输入代码、拼音首字母或汉字") \
	_(REQ_ADD,    "新增", "新增一名教职工 / 一条记录 / 一所学校") \
	_(REQ_REPEAT, "同上", "填入上一条记录（或上一名教职工）中本项的值") \
	_(REQ_SEARCH, "查找", "按姓名、拼音首字母、身份证件号或教职工号查找") \
	_(REQ_FILTER, "筛选", "切换显示：全部 / 有问题 / 已完整 / 有变化（有基线时）") \
	_(REQ_SORT,   "排序", "切换排序：录入顺序 / 姓名 / 身份证件号") \
	_(REQ_DELETE, "删除", "删除当前记录（须按 y 确认）") \
	_(REQ_CHECK,  "校验", "完整性检测：逐人逐项列出问题，回车跳到该项") \
	_(REQ_PRINT,  "打印", "把教师信息确认表存为 PDF，并可送打印机") \
	_(REQ_SIGN,   "签字", "登记确认表已签字返回（记下签字日期和校验码）") \
	_(REQ_REVIEW, "审核", "提交审核 / 审核通过 / 退回 / 解锁 / 签字确认") \
	_(REQ_BOARD,  "进度", "各校录入进度（录入率、完整率、审核、签字）") \
	_(REQ_EXPORT, "导出", "把所选学校导出为官方 Excel 模板（存在“文档/jzg/学校”文件夹，F1 看完整路径）") \
	_(REQ_PRIOR,  "去年", "与去年对照（本校有去年的基线时）：光标所在项去年的值，或这条记录、这个信息集与去年有何不同。录入界面中 * 标出与去年不同的项和信息集，+ 标出今年新增的记录") \
	_(REQ_HISTORY, "记录", "本项的修改记录：谁、何时、由什么改成什么") \
	_(REQ_PHOTO,  "照片", "导入本人照片：输入 JPEG 文件的路径（Tab 补全）；26×32 毫米比例、至少 154×189 像素、小于 60 KB") \
	_(REQ_EXPECT, "应有", "填写所选学校的应有教职工数（年报中的教职工数，用来算录入率）") \
	_(REQ_ACCOUNT, "账号", "创建第一个管理员账号（选了单人使用的文件，以后也可在这里设账号）") \
	_(REQ_REKEY,  "核对", "二次录入核对：对照纸质表把抽中的人再录一遍（须由录入者以外的人进行）") \
	_(REQ_FIRST,  "第一次正确", "核对时两次录入不一致：保留第一次录入的值") \
	_(REQ_SECOND, "第二次正确", "核对时两次录入不一致：改为第二次录入的值") \
	_(REQ_AGAIN,  "重新录入", "核对时两次录入不一致：对照纸质表再录一次，以这一次为准") \
	_(REQ_QUIT,   "退出", "退出程序（数据在离开每一项时已保存）") \
	_(REQ_INTR,   "退出", "问一声后退出程序（已输入的都已保存）") \
	_(REQ_BACK,   "返回", "返回上一层") \
	_(REQ_ENTER,  "确定", "进入 / 选定 / 到下一项") \
	_(REQ_NEXT,   "下一项", "到下一项") \
	_(REQ_PREV,   "上一项", "到上一项") \
	_(REQ_UP,     "上", "上移") \
	_(REQ_DOWN,   "下", "下移（在表单中到下一项）") \
	_(REQ_LEFT,   "左", "光标左移 / 回到上一级") \
	_(REQ_RIGHT,  "右", "光标右移 / 进入下一级") \
	_(REQ_PGUP,   "上页", "向上翻页") \
	_(REQ_PGDN,   "下页", "向下翻页") \
	_(REQ_HOME,   "行首", "光标到行首") \
	_(REQ_END,    "行尾", "光标到行尾") \
	_(REQ_BS,     "退格", "删除光标前的字") \
	_(REQ_DEL,    "删字", "删除光标处的字") \
	_(REQ_KILL,   "清空", "清空本项") \
	_(REQ_TOGGLE, "勾选", "多选代码中勾选 / 取消") \
	_(REQ_RESIZE, "", "") \
	_(REQ_CHAR,   "", "")

enum request {
	REQ_NONE = 0,
#define REQ_ENUM(r, label, help) r,
	REQUEST_INFO(REQ_ENUM)
#undef REQ_ENUM
	REQ__COUNT
};

struct keybinding {
	int         key;    /* curses key code or character */
	const char *name;   /* as shown: F1, Esc, Enter … */
	enum request req;
};

extern const struct keybinding keymap[];
extern const char *const request_label[REQ__COUNT];
extern const char *const request_help[REQ__COUNT];

/* The request bound to a key (REQ_CHAR for an ordinary character). */
enum request request_of_key(int key, int is_key_code);
/* The request among want (REQ_NONE-terminated) that typed character ch
 * is bound to, or REQ_NONE: a dialog that reads characters (the 1, 2, 3
 * of a discrepancy in verification) still takes them from the table. */
enum request request_of_char(int ch, const enum request *want);
/* The first key name bound to r ("F1"), or "". */
const char *request_key_name(enum request r);

#endif
