/*  inv_log: one line per significant action, to stderr.

    Each line is assembled in a local buffer and written with one write(2), so lines
    from several threads or processes sharing a terminal never interleave. The time
    stamp is China Standard Time computed from the host clock (inv_clock_real_ms), not
    the settable clock, so a log stays truthful while a test moves time. The level
    threshold starts from INNOV_LOG_LEVEL (read by inv_log_init) and may be changed
    with inv_log_set_level (inv_config_apply does so from --log-level).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "inv_log.h"
#include "inv_clock.h"

static int  s_level = INV_LOG_INFO;
static char s_name [64] = "innov";

static const char *s_level_names [] = { "DEBUG", "INFO", "WARN", "ERROR" };

void
inv_log_init (const char *process_name)
{
    if (process_name && *process_name)
        snprintf (s_name, sizeof s_name, "%s", process_name);
    const char *env = getenv ("INNOV_LOG_LEVEL");
    if (env && *env) {
        int level = inv_log_level_parse (env);
        if (level >= 0)
            s_level = level;
    }
}

void
inv_log_set_level (int level)
{
    if (level >= INV_LOG_DEBUG && level <= INV_LOG_ERROR)
        s_level = level;
}

int
inv_log_level_parse (const char *name)
{
    if (!name)
        return -1;
    if (strcasecmp (name, "debug") == 0)
        return INV_LOG_DEBUG;
    if (strcasecmp (name, "info") == 0)
        return INV_LOG_INFO;
    if (strcasecmp (name, "warn") == 0 || strcasecmp (name, "warning") == 0)
        return INV_LOG_WARN;
    if (strcasecmp (name, "error") == 0)
        return INV_LOG_ERROR;
    return -1;
}

void
inv_log (int level, const char *fmt, ...)
{
    if (level < s_level)
        return;
    if (level < INV_LOG_DEBUG)
        level = INV_LOG_DEBUG;
    if (level > INV_LOG_ERROR)
        level = INV_LOG_ERROR;

    char line [2048];
    char stamp [40];
    inv_clock_format (inv_clock_real_ms (), stamp, sizeof stamp);
    int len = snprintf (line, sizeof line, "%s %s[%d] %s ",
                        stamp, s_name, (int) getpid (), s_level_names [level]);
    if (len < 0)
        return;
    va_list args;
    va_start (args, fmt);
    int body = vsnprintf (line + len, sizeof line - (size_t) len, fmt, args);
    va_end (args);
    if (body < 0)
        body = 0;
    len += body;
    if ((size_t) len >= sizeof line - 1) {
        /* truncated: mark it and keep the newline */
        len = (int) sizeof line - 1;
        memcpy (line + len - 4, "...", 3);
        len--;
    }
    line [len++] = '\n';
    const char *p = line;
    size_t left = (size_t) len;
    while (left > 0) {
        ssize_t n = write (STDERR_FILENO, p, left);
        if (n <= 0)
            break;
        p += n;
        left -= (size_t) n;
    }
}
