/*  inv_log: one line per significant action, to stderr.

    Format: 2026-11-27T21:50:01.123+08:00 registry[1234] INFO enterprise.add 91140100... ok
    The timestamp is China Standard Time from the real clock (never the test clock,
    so logs stay truthful while a test moves time). Level from INNOV_LOG_LEVEL
    (debug, info, warn, error; default info).
*/
#ifndef INV_LOG_H
#define INV_LOG_H

enum { INV_LOG_DEBUG = 0, INV_LOG_INFO, INV_LOG_WARN, INV_LOG_ERROR };

void inv_log_init (const char *process_name);
void inv_log_set_level (int level);
int  inv_log_level_parse (const char *name);   /* -1 if unknown */
void inv_log (int level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#define inv_debug(...) inv_log (INV_LOG_DEBUG, __VA_ARGS__)
#define inv_info(...)  inv_log (INV_LOG_INFO, __VA_ARGS__)
#define inv_warn(...)  inv_log (INV_LOG_WARN, __VA_ARGS__)
#define inv_error(...) inv_log (INV_LOG_ERROR, __VA_ARGS__)

#endif
