/*  test_dashboard: the web dashboard driven in headless Chromium against the real stack.

    Redis, the broker, registry, notify and the gateway run on free ports (the gateway's
    HTTP address is INNOV_HTTP); a few enterprises are added and one is walked to ACTIVE
    with innovctl; a bearer token is made with `innovctl token create`. Each step of the
    dashboard is one URL (app.js reads its state from the fragment: #token=..&q=..&detail=..),
    loaded once by `chromium --headless --dump-dom` (the DOM after the scripts ran, with
    --virtual-time-budget so the fetches have finished), with `--screenshot` in the same
    run when the step keeps a picture. The assertions read the dumped DOM: the coverage table
    lists the cities, the search lists the enterprises, the detail shows the name, the
    status and the history, and no error banner is shown; a bad token and an unknown
    enterprise show the banner with the server's reason.

    Screenshots go to $INNOV_SCREENSHOTS, or <bin dir>/../screenshots (build/screenshots
    with the default build). Without Chromium (/usr/bin/chromium, `chromium` on PATH or
    $INNOV_CHROMIUM) every test is skipped with a message. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stack.h"
#include "inv_json.h"
#include "inv_valid.h"

#define CHROMIUM_TIMEOUT_S 60
#define NOTIFY_CLOCK "2026-12-06T09:00:00"

typedef struct {
    harness_t *h;
    int port;
    char token [256];
    char code_ty [19];          /* 太原, walked to ACTIVE */
    char code_ty2 [19];         /* 太原, not started */
    char code_dt [19];          /* 大同, in progress */
    char shots [512];           /* screenshot directory */
    char profile [512];         /* Chromium's user data directory (inside the harness dir) */
} fixture_t;

static char s_chromium [512];

/* ---- Chromium --------------------------------------------------------------------------- */

static bool
s_find_chromium (void)
{
    const char *env = getenv ("INNOV_CHROMIUM");
    if (env && *env && access (env, X_OK) == 0) {
        snprintf (s_chromium, sizeof s_chromium, "%s", env);
        return true;
    }
    const char *fixed [] = { "/usr/bin/chromium", "/usr/bin/chromium-browser", NULL };
    for (int i = 0; fixed [i]; i++)
        if (access (fixed [i], X_OK) == 0) {
            snprintf (s_chromium, sizeof s_chromium, "%s", fixed [i]);
            return true;
        }
    const char *path = getenv ("PATH");
    char *copy = strdup (path ? path : "");
    bool found = false;
    for (char *save = NULL, *dir = strtok_r (copy, ":", &save); dir && !found;
         dir = strtok_r (NULL, ":", &save)) {
        snprintf (s_chromium, sizeof s_chromium, "%s/chromium", dir);
        found = access (s_chromium, X_OK) == 0;
    }
    free (copy);
    return found;
}

/* Run Chromium headless on url; the DOM after the scripts ran (--dump-dom, stdout) goes
   to out_path; extra is one more switch ("--screenshot=<path>", or "--dump-dom" again
   when there is nothing more). Returns the exit status, or -1 when it had to be killed
   after CHROMIUM_TIMEOUT_S. */
static int
s_chromium_run (fixture_t *f, const char *extra, const char *url, const char *out_path)
{
    char profile [600];
    snprintf (profile, sizeof profile, "--user-data-dir=%s", f->profile);
    pid_t pid = fork ();
    if (pid == 0) {
        prctl (PR_SET_PDEATHSIG, SIGKILL);
        int out = open (out_path ? out_path: "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open ("/dev/null", O_RDWR);
        if (out < 0 || null < 0)
            _exit (126);
        dup2 (null, 0);
        dup2 (out, 1);
        dup2 (null, 2);
        execl (s_chromium, s_chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
               "--disable-extensions", "--disable-background-networking", "--disable-sync",
               "--hide-scrollbars", "--lang=zh-CN", "--window-size=1280,1600",
               "--virtual-time-budget=5000", profile, "--dump-dom", extra, url, (char *) NULL);
        _exit (127);
    }
    if (pid < 0)
        return -1;
    for (int waited = 0; waited < CHROMIUM_TIMEOUT_S * 10; waited++) {
        int status;
        pid_t r = waitpid (pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED (status) ? WEXITSTATUS (status): -1;
        usleep (100 * 1000);
    }
    kill (pid, SIGKILL);
    waitpid (pid, NULL, 0);
    return -1;
}

/* Checks that path is a PNG of the window's width with something drawn. */
static void
s_check_png (const char *path)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        fail_msg ("no screenshot %s", path);
    unsigned char head [24] = { 0 };
    size_t got = fread (head, 1, sizeof head, file);
    fseek (file, 0, SEEK_END);
    long size = ftell (file);
    fclose (file);
    assert_int_equal (got, sizeof head);
    assert_memory_equal (head, "\x89PNG\r\n\x1a\n", 8);
    uint32_t width = (uint32_t) head [16] << 24 | head [17] << 16 | head [18] << 8 | head [19];
    assert_int_equal (width, 1280);
    assert_true (size > 20000);          /* a rendered page, not a blank one */
    printf ("# screenshot %s (%ld bytes)\n", path, size);
}

/* One step: the dashboard at fragment, loaded once; returns its DOM after the scripts
   ran and, when shot is not NULL, saves a screenshot as <shots>/<shot>.png. */
static char *
s_page (fixture_t *f, const char *fragment, const char *shot)
{
    char url [1024], out [600], path [700] = "", arg [720] = "--dump-dom";
    snprintf (url, sizeof url, "http://127.0.0.1:%d/#%s", f->port, fragment);
    snprintf (out, sizeof out, "%s/dom.html", harness_dir (f->h));
    if (shot) {
        snprintf (path, sizeof path, "%s/%s.png", f->shots, shot);
        snprintf (arg, sizeof arg, "--screenshot=%s", path);
        unlink (path);
    }
    int rc = s_chromium_run (f, arg, url, out);
    char *dom = harness_read (out);
    if (rc != 0 || !dom || !strstr (dom, "</html>"))
        fail_msg ("chromium %s: exit %d, %zu bytes of DOM", url, rc, dom? strlen (dom): 0);
    if (shot)
        s_check_png (path);
    return dom;
}

/* ---- reading the DOM --------------------------------------------------------------------- */

/* The opening tag of the element with this id ("<div id=... hidden="">"), malloc'd. */
static char *
s_tag (const char *dom, const char *id)
{
    char needle [128];
    snprintf (needle, sizeof needle, "id=\"%s\"", id);
    const char *at = strstr (dom, needle);
    if (!at)
        return NULL;
    const char *start = at;
    while (start > dom && *start != '<')
        start--;
    const char *end = strchr (at, '>');
    return end? strndup (start, (size_t) (end - start + 1)): NULL;
}

/* The markup inside the element with this id, up to its closing tag (same tag name,
   nesting counted), malloc'd. */
static char *
s_inner (const char *dom, const char *id)
{
    char *tag = s_tag (dom, id);
    if (!tag)
        return NULL;
    char name [16] = "";
    sscanf (tag + 1, "%15[a-z0-9]", name);
    const char *at = strstr (dom, tag) + strlen (tag);
    free (tag);
    char open [24], close [24];
    snprintf (open, sizeof open, "<%s", name);
    snprintf (close, sizeof close, "</%s>", name);
    int depth = 1;
    const char *p = at;
    while (depth > 0) {
        const char *o = strstr (p, open), *c = strstr (p, close);
        if (!c)
            return strdup (at);
        if (o && o < c && (o [strlen (open)] == ' ' || o [strlen (open)] == '>')) {
            depth++;
            p = o + strlen (open);
        }
        else {
            depth--;
            p = c + strlen (close);
        }
    }
    return strndup (at, (size_t) (p - at - strlen (close)));
}

static bool
s_hidden (const char *dom, const char *id)
{
    char *tag = s_tag (dom, id);
    assert_non_null (tag);
    bool hidden = strstr (tag, " hidden") != NULL;
    free (tag);
    return hidden;
}

static void
s_contains (const char *dom, const char *id, const char *needle)
{
    char *inner = s_inner (dom, id);
    if (!inner)
        fail_msg ("no element #%s in the page", id);
    if (!strstr (inner, needle))
        fail_msg ("\"%s\" not in #%s: %.2000s", needle, id, inner);
    free (inner);
}

static void
s_no_error_banner (const char *dom)
{
    if (!s_hidden (dom, "error-banner")) {
        char *text = s_inner (dom, "error-text");
        fail_msg ("the error banner is shown: %s", text? text: "?");
    }
}

/* ---- the stack --------------------------------------------------------------------------- */

static void
s_add (harness_t *h, const char *prefix17, char *code, const char *name, const char *county)
{
    assert_true (inv_credit_code_complete (prefix17, code));
    free (stack_json (h, "enterprise", "add", "--code", code, "--name", name, "--county", county,
                      "--industry", "3311", "--department", "省工信厅", NULL));
}

/* True once something accepts TCP connections on 127.0.0.1:port (within 10 s). */
static bool
s_port_open (int port)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    for (int i = 0; i < 100; i++) {
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        bool up = fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
        if (fd >= 0)
            close (fd);
        if (up)
            return true;
        usleep (100 * 1000);
    }
    return false;
}

/* The token's secret from `innovctl token create --json` (TokenReply). */
static void
s_make_token (fixture_t *f)
{
    char *out = stack_json (f->h, "token", "create", "--principal", "province", "--name", "看板测试",
                            "--json", NULL);
    char *secret = inv_json_get (out, "token.secret");
    if (!secret || !*secret)
        fail_msg ("no token.secret in: %s", out);
    assert_true (strlen (secret) < sizeof f->token);
    snprintf (f->token, sizeof f->token, "%s", secret);
    free (secret);
    free (out);
}

static int
s_setup (void **state)
{
    if (!s_find_chromium ())
        return 0;
    fixture_t *f = calloc (1, sizeof (fixture_t));
    *state = f;
    f->h = stack_new (NULL, "redis", "broker", "registry", NULL);
    if (!f->h)
        return -1;
    f->port = harness_free_port ();
    char http [64];
    snprintf (http, sizeof http, "127.0.0.1:%d", f->port);
    harness_setenv (f->h, "INNOV_HTTP", http);
    if (harness_start_service (f->h, "gateway") < 0 || !s_port_open (f->port))
        return -1;
    /* notify lives a day after December's ledger deadline: every group is overdue */
    harness_setenv (f->h, "INNOV_CLOCK", NOTIFY_CLOCK);
    if (harness_start_service (f->h, "notify") < 0)
        return -1;
    snprintf (f->profile, sizeof f->profile, "%s/chromium-profile", harness_dir (f->h));

    const char *dir = getenv ("INNOV_SCREENSHOTS");
    if (dir && *dir)
        snprintf (f->shots, sizeof f->shots, "%s", dir);
    else {
        const char *bin = getenv ("INNOV_BIN_DIR");
        snprintf (f->shots, sizeof f->shots, "%s/../screenshots", bin && *bin ? bin : "build/bin");
    }
    mkdir (f->shots, 0755);
    char *real = realpath (f->shots, NULL);
    if (real) {
        snprintf (f->shots, sizeof f->shots, "%s", real);
        free (real);
    }
    return 0;
}

static int
s_teardown (void **state)
{
    fixture_t *f = *state;
    if (f) {
        harness_destroy (&f->h);
        free (f);
    }
    return 0;
}

/* ---- the tests ---------------------------------------------------------------------------- */

#define SKIP_WITHOUT_CHROMIUM(f) \
    if (!(f)) { printf ("# SKIP: chromium not found (/usr/bin/chromium, PATH or INNOV_CHROMIUM): " \
                        "install the Debian package chromium\n"); skip (); }

/* Loads the data every later test reads (cmocka runs them in order on one stack). */
static void
test_load_data (void **state)
{
    fixture_t *f = *state;
    SKIP_WITHOUT_CHROMIUM (f);
    harness_t *h = f->h;
    s_add (h, "91140105MA0DKHB01", f->code_ty, "太原看板测试机械有限公司", "140105");
    s_add (h, "91140106MA0DKHB02", f->code_ty2, "太原看板测试材料有限公司", "140106");
    s_add (h, "91140213MA0DKHB03", f->code_dt, "大同看板测试煤机有限公司", "140213");
    free (stack_json (h, "enterprise", "status", f->code_ty, "--to", "in_progress", "--reason", "已立项研发项目",
                      NULL, NULL));
    free (stack_json (h, "enterprise", "status", f->code_ty, "--to", "active", "--reason", "建成企业技术中心",
                      NULL, NULL));
    free (stack_json (h, "enterprise", "status", f->code_dt, "--to", "in_progress", "--reason", "签订产学研合作协议",
                      NULL, NULL));
    s_make_token (f);

    /* wait for notify's overdue notices (its tick is 1 s) */
    bool noticed = false;
    for (int i = 0; i < 100 && !noticed; i++) {
        char *out = stack_json (h, "--as", "city:140100", "notices", "unread", NULL);
        noticed = atoi (out) > 0;
        free (out);
        if (!noticed)
            usleep (100 * 1000);
    }
    assert_true (noticed);
}

/* The dashboard: coverage by city from the registry's counters, no error. */
static void
test_dashboard_loads (void **state)
{
    fixture_t *f = *state;
    SKIP_WITHOUT_CHROMIUM (f);
    char fragment [512];
    snprintf (fragment, sizeof fragment, "token=%s&live=0", f->token);
    char *dom = s_page (f, fragment, "dashboard-1-overview");
    s_no_error_banner (dom);
    assert_non_null (strstr (dom, "<title>企业技术创新全覆盖"));
    /* offline: nothing is loaded from another host */
    assert_null (strstr (dom, "src=\"http"));
    assert_null (strstr (dom, "href=\"http"));
    assert_null (strstr (dom, "@import"));
    /* 太原: 2 enterprises, 1 active -> 50.0%; 大同: 1, in progress -> 0.0% */
    s_contains (dom, "coverage-table", "太原市");
    s_contains (dom, "coverage-table", "吕梁市");
    char *table = s_inner (dom, "coverage-table");
    const char *ty = strstr (table, "data-city=\"140100\"");
    assert_non_null (ty);
    char *row = strndup (ty, (size_t) (strstr (ty, "</tr>") - ty));
    if (!strstr (row, "<td>2</td>") || !strstr (row, "50.0%"))
        fail_msg ("太原's row should read 2 enterprises, 50.0%%: %s", row);
    free (row);
    free (table);
    s_contains (dom, "coverage-summary", "3 家");
    s_contains (dom, "city-map", "太原市");
    /* deadlines: the province reads every group's inbox; all 25 groups are overdue (red) */
    s_contains (dom, "overdue-table", "太原市");
    s_contains (dom, "overdue-table", "省工信厅");
    s_contains (dom, "overdue-table", "light red");
    s_contains (dom, "overdue-table", "逾期");
    s_contains (dom, "overdue-body", "25 项");
    /* the login worked: the token left the address and is kept for the tab */
    s_contains (dom, "who", "已登录：省推进小组");
    free (dom);
}

/* A search by a fragment of the name lists the matching enterprises. */
static void
test_search (void **state)
{
    fixture_t *f = *state;
    SKIP_WITHOUT_CHROMIUM (f);
    char fragment [512];
    snprintf (fragment, sizeof fragment, "token=%s&live=0&q=%s", f->token, "太原看板");
    char *dom = s_page (f, fragment, "dashboard-2-search");
    s_no_error_banner (dom);
    s_contains (dom, "results-table", "太原看板测试机械有限公司");
    s_contains (dom, "results-table", "太原看板测试材料有限公司");
    s_contains (dom, "results-table", f->code_ty);
    s_contains (dom, "results-table", "已开展");
    char *results = s_inner (dom, "results-table");
    assert_null (strstr (results, "大同看板测试煤机有限公司"));
    free (results);
    s_contains (dom, "result-count", "共 2 家企业");
    assert_true (s_hidden (dom, "detail"));
    free (dom);

    /* by city, without a name: the city's list */
    snprintf (fragment, sizeof fragment, "token=%s&live=0&city=140200", f->token);
    dom = s_page (f, fragment, NULL);
    s_no_error_banner (dom);
    s_contains (dom, "results-table", "大同看板测试煤机有限公司");
    s_contains (dom, "results-table", "推进中");
    free (dom);
}

/* The detail of one enterprise: name, status, history; sections of services not running
   say "暂无数据". */
static void
test_detail (void **state)
{
    fixture_t *f = *state;
    SKIP_WITHOUT_CHROMIUM (f);
    char fragment [512];
    snprintf (fragment, sizeof fragment, "token=%s&live=0&q=%s&detail=%s", f->token, "太原看板", f->code_ty);
    char *dom = s_page (f, fragment, "dashboard-3-detail");
    s_no_error_banner (dom);
    assert_false (s_hidden (dom, "detail"));
    s_contains (dom, "detail-name", "太原看板测试机械有限公司");
    s_contains (dom, "detail-status", "已开展");
    s_contains (dom, "detail-body", f->code_ty);
    s_contains (dom, "detail-body", "太原市");
    s_contains (dom, "detail-body", "省工信厅");
    s_contains (dom, "detail-history", "建成企业技术中心");
    s_contains (dom, "detail-history", "已立项研发项目");
    s_contains (dom, "detail-history", "推进中");
    s_contains (dom, "detail-pairings", "暂无数据");
    s_contains (dom, "detail-projects", "暂无数据");
    s_contains (dom, "detail-problems", "暂无数据");
    s_contains (dom, "results-table", "太原看板测试机械有限公司");
    free (dom);
}

/* The event stream, opened with the token as a query parameter: the first three
   enterprise events of the record arrive in the live list, then the stream is closed. */
static void
test_live (void **state)
{
    fixture_t *f = *state;
    SKIP_WITHOUT_CHROMIUM (f);
    char fragment [512];
    snprintf (fragment, sizeof fragment, "token=%s&live=3", f->token);
    char *dom = s_page (f, fragment, NULL);
    s_no_error_banner (dom);
    s_contains (dom, "live-state", "已接收 3 条");
    s_contains (dom, "live-list", "data-type=\"enterprise.created\"");
    s_contains (dom, "live-list", "新增企业");
    s_contains (dom, "live-list", "大同看板测试煤机有限公司");
    s_contains (dom, "live-list", f->code_ty);
    s_contains (dom, "live-list", f->code_dt);
    free (dom);
}

/* Errors are shown in Chinese with the server's reason. */
static void
test_errors (void **state)
{
    fixture_t *f = *state;
    SKIP_WITHOUT_CHROMIUM (f);
    char *dom = s_page (f, "token=not-a-token&live=0", NULL);
    assert_false (s_hidden (dom, "error-banner"));
    s_contains (dom, "error-text", "未登录或令牌无效：");
    free (dom);

    char fragment [512], unknown [19];
    assert_true (inv_credit_code_complete ("91140105MA0DKHB99", unknown));
    snprintf (fragment, sizeof fragment, "token=%s&live=0&detail=%s", f->token, unknown);
    dom = s_page (f, fragment, NULL);
    assert_false (s_hidden (dom, "error-banner"));
    s_contains (dom, "error-text", "未找到");
    s_contains (dom, "detail-body", "未找到该企业");
    free (dom);

    /* no token at all: the login box asks for one */
    dom = s_page (f, "live=0", "dashboard-4-login");
    s_contains (dom, "error-text", "请输入访问令牌");
    free (dom);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_load_data),
        cmocka_unit_test (test_dashboard_loads),
        cmocka_unit_test (test_search),
        cmocka_unit_test (test_detail),
        cmocka_unit_test (test_live),
        cmocka_unit_test (test_errors),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
