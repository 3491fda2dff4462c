/*  inv_valid: validation of identities the whole platform depends on.

    Credit codes are checked character by character against the GB 32100-2015 alphabet
    (31 characters; the value of a character is its index) and the check character is
    31 - (sum of value x weight mod 31), with weights 3^i mod 31, 31 written as '0'.
    Each refusal says what is wrong and where, so an agency can correct a spreadsheet
    line without guessing.

    Reference tables (divisions, departments) are compiled in as CSV text by
    tools/embed.sh and parsed once, on first use, under pthread_once, into arrays that
    live for the life of the process; look-ups are linear scans over a few hundred rows
    (a national table of ~3,500 divisions would still be microseconds). The clusters
    and the industry divisions are small enough to be plain static arrays here.
*/
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "inv_valid.h"

#define streq(a, b) (strcmp ((a), (b)) == 0)

extern const char inv_table_shanxi_divisions [];
extern const char inv_table_shanxi_departments [];

/* ---- credit codes -------------------------------------------------------------------- */

static const char s_alphabet [] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int s_weights [17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };

/* Value 0-30 of a credit code character, or -1 if not in the alphabet. */
static int
s_char_value (char c)
{
    if (c == '\0')
        return -1;
    const char *p = strchr (s_alphabet, c);
    return p? (int) (p - s_alphabet): -1;
}

char
inv_credit_code_check_char (const char *first17)
{
    if (!first17)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int value = s_char_value (first17 [i]);
        if (value < 0)
            return 0;
        sum += value * s_weights [i];
    }
    int check = 31 - sum % 31;
    return s_alphabet [check == 31? 0: check];
}

static void
s_reason (char *reason, size_t size, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_reason (char *reason, size_t size, const char *fmt, ...)
{
    if (!reason || size == 0)
        return;
    va_list args;
    va_start (args, fmt);
    vsnprintf (reason, size, fmt, args);
    va_end (args);
}

/* Number of UTF-8 characters in text (continuation bytes not counted). */
static size_t
s_utf8_length (const char *text)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        if ((*p & 0xC0) != 0x80)
            count++;
    return count;
}

bool
inv_credit_code_valid (const char *code, char *reason, size_t size)
{
    if (!code || !*code) {
        s_reason (reason, size, "is empty; a credit code has 18 characters");
        return false;
    }
    size_t length = s_utf8_length (code);
    if (length != 18) {
        s_reason (reason, size, "has %zu characters; a credit code has 18", length);
        return false;
    }
    //  Every byte, not only the first 18: a stray UTF-8 continuation byte is not
    //  counted as a character above, so 18 characters may be more than 18 bytes.
    int bytes_total = (int) strlen (code);
    for (int i = 0; i < bytes_total; i++) {
        unsigned char c = (unsigned char) code [i];
        if (c >= 0x80 && c < 0xC0) {
            s_reason (reason, size, "byte 0x%02X at position %d is not UTF-8 text: only digits "
                      "and capital letters (no I, O, S, V, Z) are allowed", c, i + 1);
            return false;
        }
        if (c >= 0x80) {
            /* quote the whole UTF-8 character (the code is ASCII up to here) */
            int bytes = c >= 0xF0? 4: c >= 0xE0? 3: c >= 0xC0? 2: 1;
            int have = 0;
            while (have < bytes && code [i + have])
                have++;
            s_reason (reason, size, "bad character '%.*s' at position %d: only digits and capital "
                      "letters (no I, O, S, V, Z) are allowed", have, code + i, i + 1);
            return false;
        }
        if (islower (c) && s_char_value ((char) toupper (c)) >= 0) {
            s_reason (reason, size, "bad character '%c' at position %d: lower case is not allowed, "
                      "write '%c'", c, i + 1, toupper (c));
            return false;
        }
        if (s_char_value ((char) c) < 0) {
            s_reason (reason, size, "bad character '%c' at position %d: only digits and capital letters "
                      "(no I, O, S, V, Z) are allowed", isprint (c)? c: '?', i + 1);
            return false;
        }
    }
    for (int i = 2; i < 8; i++)
        if (!isdigit ((unsigned char) code [i])) {
            s_reason (reason, size, "bad character '%c' at position %d: positions 3-8 are the "
                      "6-digit division code", code [i], i + 1);
            return false;
        }
    char expected = inv_credit_code_check_char (code);
    if (code [17] != expected) {
        s_reason (reason, size, "wrong check character '%c' at position 18: expected '%c'",
                  code [17], expected);
        return false;
    }
    return true;
}

bool
inv_credit_code_complete (const char *first17, char *out)
{
    char check = inv_credit_code_check_char (first17);
    if (!check || !out)
        return false;
    memcpy (out, first17, 17);
    out [17] = check;
    out [18] = '\0';
    //  The check character alone does not make a code: positions 3-8 must be a
    //  division's digits too.
    if (!inv_credit_code_valid (out, NULL, 0)) {
        out [0] = '\0';
        return false;
    }
    return true;
}

/* ---- CSV ----------------------------------------------------------------------------- */

/* Split one CSV line (double quotes allowed around a field, "" inside quotes) into
   at most max fields, copied into the given buffers. Returns the number of fields and
   advances *text_p past the line. */
static int
s_csv_line (const char **text_p, char fields [][256], int max)
{
    const char *p = *text_p;
    int count = 0;
    size_t used = 0;
    bool quoted = false;
    if (max > 0)
        fields [0][0] = '\0';
    while (*p) {
        char c = *p++;
        if (quoted) {
            if (c == '"' && *p == '"') {
                p++;
            }
            else
            if (c == '"') {
                quoted = false;
                continue;
            }
        }
        else
        if (c == '"') {
            quoted = true;
            continue;
        }
        else
        if (c == ',') {
            if (count < max)
                count++;
            used = 0;
            if (count < max)
                fields [count][0] = '\0';
            continue;
        }
        else
        if (c == '\r')
            continue;
        else
        if (c == '\n')
            break;
        if (count < max && used < 255) {
            fields [count][used++] = c;
            fields [count][used] = '\0';
        }
    }
    *text_p = p;
    return count < max? count + 1: max;
}

/* Copy src into dest of size bytes, cutting (if it must) at a UTF-8 character boundary. */
static void
s_copy (char *dest, size_t size, const char *src)
{
    size_t len = strlen (src);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char) src [len] & 0xC0) == 0x80)
            len--;
    }
    memcpy (dest, src, len);
    dest [len] = '\0';
}

/* ---- divisions ----------------------------------------------------------------------- */

static pthread_once_t s_divisions_once = PTHREAD_ONCE_INIT;
static inv_division_t *s_divisions;
static size_t s_division_count;

static void
s_division_add (const inv_division_t *division)
{
    static size_t capacity;
    if (s_division_count == capacity) {
        capacity = capacity? capacity * 2: 256;
        s_divisions = (inv_division_t *) realloc (s_divisions, capacity * sizeof *s_divisions);
        if (!s_divisions)
            abort ();
    }
    s_divisions [s_division_count++] = *division;
}

static bool
s_is_code6 (const char *text)
{
    if (strlen (text) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (!isdigit ((unsigned char) text [i]))
            return false;
    return true;
}

static void
s_divisions_load (void)
{
    const char *p = inv_table_shanxi_divisions;
    char fields [5][256];
    s_csv_line (&p, fields, 5);                    /* header */
    /* provinces met as parents of prefectures, appended after the table */
    inv_division_t provinces [40];
    size_t province_count = 0;
    while (*p) {
        if (s_csv_line (&p, fields, 5) < 5 || !s_is_code6 (fields [0]))
            continue;
        inv_division_t division;
        memset (&division, 0, sizeof division);
        s_copy (division.code, sizeof division.code, fields [0]);
        s_copy (division.name, sizeof division.name, fields [1]);
        s_copy (division.kind, sizeof division.kind, fields [2]);
        memcpy (division.province, fields [0], 2);
        bool prefecture = streq (fields [2], "prefecture");
        division.level = prefecture? INV_DIV_CITY: INV_DIV_COUNTY;
        s_copy (division.city, sizeof division.city, prefecture? fields [0]: fields [3]);
        s_division_add (&division);

        if (prefecture && s_is_code6 (fields [3]) && streq (fields [3] + 2, "0000")) {
            size_t i;
            for (i = 0; i < province_count; i++)
                if (streq (provinces [i].code, fields [3]))
                    break;
            if (i == province_count && province_count < sizeof provinces / sizeof provinces [0]) {
                inv_division_t *province = &provinces [province_count++];
                memset (province, 0, sizeof *province);
                s_copy (province->code, sizeof province->code, fields [3]);
                s_copy (province->name, sizeof province->name, fields [4]);
                s_copy (province->kind, sizeof province->kind, "province");
                province->level = INV_DIV_PROVINCE;
                memcpy (province->province, fields [3], 2);
            }
        }
    }
    for (size_t i = 0; i < province_count; i++)
        s_division_add (&provinces [i]);
}

const inv_division_t *
inv_division_all (size_t *count)
{
    pthread_once (&s_divisions_once, s_divisions_load);
    if (count)
        *count = s_division_count;
    return s_divisions;
}

const inv_division_t *
inv_division_find (const char *code)
{
    if (!code)
        return NULL;
    size_t count;
    const inv_division_t *all = inv_division_all (&count);
    for (size_t i = 0; i < count; i++)
        if (streq (all [i].code, code))
            return &all [i];
    return NULL;
}

bool
inv_division_is_county (const char *code)
{
    const inv_division_t *division = inv_division_find (code);
    return division && division->level == INV_DIV_COUNTY;
}

bool
inv_division_is_city (const char *code)
{
    const inv_division_t *division = inv_division_find (code);
    return division && division->level == INV_DIV_CITY;
}

/* ---- departments --------------------------------------------------------------------- */

#define MAX_ALIASES 8

typedef struct {
    inv_department_t department;
    char aliases [MAX_ALIASES][64];
    int alias_count;
} department_row_t;

static pthread_once_t s_departments_once = PTHREAD_ONCE_INIT;
static department_row_t *s_department_rows;
static inv_department_t *s_departments;     /* the public records, contiguous */
static size_t s_department_count;

static void
s_departments_load (void)
{
    const char *p = inv_table_shanxi_departments;
    char fields [5][256];
    s_csv_line (&p, fields, 5);                    /* header */
    size_t capacity = 0;
    while (*p) {
        int n = s_csv_line (&p, fields, 5);
        if (n < 3 || !fields [0][0])
            continue;
        if (s_department_count == capacity) {
            capacity = capacity? capacity * 2: 32;
            s_department_rows = (department_row_t *) realloc (s_department_rows,
                                                              capacity * sizeof *s_department_rows);
            if (!s_department_rows)
                abort ();
        }
        department_row_t *row = &s_department_rows [s_department_count++];
        memset (row, 0, sizeof *row);
        s_copy (row->department.code, sizeof row->department.code, fields [0]);
        s_copy (row->department.name, sizeof row->department.name, fields [1]);
        s_copy (row->department.short_name, sizeof row->department.short_name, fields [2]);
        if (n >= 5)
            s_copy (row->department.field, sizeof row->department.field, fields [4]);
        if (n >= 4) {
            char *rest = fields [3];
            char *alias;
            while ((alias = strsep (&rest, ";")) && row->alias_count < MAX_ALIASES)
                if (*alias)
                    s_copy (row->aliases [row->alias_count++], 64, alias);
        }
    }
    s_departments = (inv_department_t *) calloc (s_department_count? s_department_count: 1,
                                                 sizeof *s_departments);
    if (!s_departments)
        abort ();
    for (size_t i = 0; i < s_department_count; i++)
        s_departments [i] = s_department_rows [i].department;
}

const inv_department_t *
inv_department_all (size_t *count)
{
    pthread_once (&s_departments_once, s_departments_load);
    if (count)
        *count = s_department_count;
    return s_departments;
}

/* The name without the province's prefix ("山西省" or "省"), for a looser match. */
static const char *
s_strip_prefix (const char *name)
{
    if (strncmp (name, "山西省", strlen ("山西省")) == 0)
        return name + strlen ("山西省");
    if (strncmp (name, "省", strlen ("省")) == 0)
        return name + strlen ("省");
    return name;
}

const inv_department_t *
inv_department_find (const char *text)
{
    if (!text)
        return NULL;
    /* trim ASCII spaces around the text agencies typed */
    while (*text == ' ' || *text == '\t')
        text++;
    char key [256];
    s_copy (key, sizeof key, text);
    size_t len = strlen (key);
    while (len > 0 && (key [len - 1] == ' ' || key [len - 1] == '\t' || key [len - 1] == '\r'))
        key [--len] = '\0';
    if (!len)
        return NULL;

    size_t count;
    const inv_department_t *all = inv_department_all (&count);
    /* exact: code (any case), full name, short name, alias */
    for (size_t i = 0; i < count; i++) {
        const department_row_t *row = &s_department_rows [i];
        if (strcasecmp (all [i].code, key) == 0 || streq (all [i].name, key)
        ||  streq (all [i].short_name, key))
            return &all [i];
        for (int a = 0; a < row->alias_count; a++)
            if (streq (row->aliases [a], key))
                return &all [i];
    }
    /* loose: the same names without the province prefix */
    const char *bare = s_strip_prefix (key);
    if (!*bare)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        const department_row_t *row = &s_department_rows [i];
        if (streq (s_strip_prefix (all [i].name), bare) || streq (s_strip_prefix (all [i].short_name), bare))
            return &all [i];
        for (int a = 0; a < row->alias_count; a++)
            if (streq (s_strip_prefix (row->aliases [a]), bare))
                return &all [i];
    }
    return NULL;
}

/* ---- clusters ------------------------------------------------------------------------ */

static const inv_cluster_t s_clusters [] = {
    { "xinchuang",          "信息技术应用创新" },
    { "semiconductor",      "半导体" },
    { "bigdata",            "大数据融合创新" },
    { "optoelectronics",    "光电" },
    { "photovoltaic",       "光伏" },
    { "carbon_materials",   "碳基新材料" },
    { "special_metals",     "特种金属材料" },
    { "biobased_materials", "生物基新材料" },
    { "rail_transit",       "先进轨道交通装备" },
    { "coal_machinery",     "煤机智能制造装备" },
    { "new_energy_vehicle", "节能与新能源汽车" },
    { "general_aviation",   "通用航空" },
    { "biomedicine",        "现代生物医药和大健康" },
    { "energy_saving",      "节能环保" },
};

#define CLUSTERS (sizeof s_clusters / sizeof s_clusters [0])

const inv_cluster_t *
inv_cluster_all (size_t *count)
{
    if (count)
        *count = CLUSTERS;
    return s_clusters;
}

const inv_cluster_t *
inv_cluster_find (const char *code_or_name)
{
    if (!code_or_name)
        return NULL;
    for (size_t i = 0; i < CLUSTERS; i++)
        if (strcasecmp (s_clusters [i].code, code_or_name) == 0 || streq (s_clusters [i].name, code_or_name))
            return &s_clusters [i];
    if (streq (code_or_name, "智能网联新能源汽车"))
        return inv_cluster_find ("new_energy_vehicle");
    return NULL;
}

/* ---- industry (GB/T 4754-2017) ------------------------------------------------------- */

typedef struct { char section; int first, last; const char *name; } section_t;

static const section_t s_sections [] = {
    { 'A',  1,  5, "农、林、牧、渔业" },
    { 'B',  6, 12, "采矿业" },
    { 'C', 13, 43, "制造业" },
    { 'D', 44, 46, "电力、热力、燃气及水生产和供应业" },
    { 'E', 47, 50, "建筑业" },
    { 'F', 51, 52, "批发和零售业" },
    { 'G', 53, 60, "交通运输、仓储和邮政业" },
    { 'H', 61, 62, "住宿和餐饮业" },
    { 'I', 63, 65, "信息传输、软件和信息技术服务业" },
    { 'J', 66, 69, "金融业" },
    { 'K', 70, 70, "房地产业" },
    { 'L', 71, 72, "租赁和商务服务业" },
    { 'M', 73, 75, "科学研究和技术服务业" },
    { 'N', 76, 79, "水利、环境和公共设施管理业" },
    { 'O', 80, 82, "居民服务、修理和其他服务业" },
    { 'P', 83, 83, "教育" },
    { 'Q', 84, 85, "卫生和社会工作" },
    { 'R', 86, 90, "文化、体育和娱乐业" },
    { 'S', 91, 96, "公共管理、社会保障和社会组织" },
    { 'T', 97, 97, "国际组织" },
};

/* Names of the industrial divisions 06-46 (sections B, C, D) */
static const char *s_industrial_names [] = {
    "煤炭开采和洗选业", "石油和天然气开采业", "黑色金属矿采选业", "有色金属矿采选业",
    "非金属矿采选业", "开采专业及辅助性活动", "其他采矿业",
    "农副食品加工业", "食品制造业", "酒、饮料和精制茶制造业", "烟草制品业", "纺织业",
    "纺织服装、服饰业", "皮革、毛皮、羽毛及其制品和制鞋业", "木材加工和木、竹、藤、棕、草制品业",
    "家具制造业", "造纸和纸制品业", "印刷和记录媒介复制业", "文教、工美、体育和娱乐用品制造业",
    "石油、煤炭及其他燃料加工业", "化学原料和化学制品制造业", "医药制造业", "化学纤维制造业",
    "橡胶和塑料制品业", "非金属矿物制品业", "黑色金属冶炼和压延加工业", "有色金属冶炼和压延加工业",
    "金属制品业", "通用设备制造业", "专用设备制造业", "汽车制造业",
    "铁路、船舶、航空航天和其他运输设备制造业", "电气机械和器材制造业",
    "计算机、通信和其他电子设备制造业", "仪器仪表制造业", "其他制造业", "废弃资源综合利用业",
    "金属制品、机械和设备修理业",
    "电力、热力生产和供应业", "燃气生产和供应业", "水的生产和供应业",
};

/* The division number of a code of 2-4 digits, or -1 if it is not digits. */
static int
s_industry_division (const char *code)
{
    if (!code)
        return -1;
    size_t len = strlen (code);
    if (len < 2 || len > 4)
        return -1;
    for (size_t i = 0; i < len; i++)
        if (!isdigit ((unsigned char) code [i]))
            return -1;
    return (code [0] - '0') * 10 + (code [1] - '0');
}

static const section_t *
s_section_of (int division)
{
    for (size_t i = 0; i < sizeof s_sections / sizeof s_sections [0]; i++)
        if (division >= s_sections [i].first && division <= s_sections [i].last)
            return &s_sections [i];
    return NULL;
}

char
inv_industry_section (const char *code)
{
    const section_t *section = s_section_of (s_industry_division (code));
    return section? section->section: 0;
}

const char *
inv_industry_division_name (const char *code)
{
    int division = s_industry_division (code);
    if (division >= 6 && division <= 46)
        return s_industrial_names [division - 6];
    return NULL;
}

bool
inv_industry_valid (const char *code, char *reason, size_t size)
{
    if (!code || !*code) {
        s_reason (reason, size, "is empty; an industry code has 2 to 4 digits (GB/T 4754-2017)");
        return false;
    }
    size_t len = strlen (code);
    if (len < 2 || len > 4) {
        s_reason (reason, size, "\"%.16s\" has %zu characters; an industry code has 2 to 4 digits "
                  "(GB/T 4754-2017)", code, s_utf8_length (code));
        return false;
    }
    int division = s_industry_division (code);
    if (division < 0) {
        s_reason (reason, size, "\"%s\" is not digits; an industry code has 2 to 4 digits "
                  "(GB/T 4754-2017)", code);
        return false;
    }
    const section_t *section = s_section_of (division);
    if (!section) {
        s_reason (reason, size, "\"%s\": division %02d does not exist in GB/T 4754-2017 "
                  "(divisions are 01 to 97)", code, division);
        return false;
    }
    if (section->section != 'B' && section->section != 'C' && section->section != 'D') {
        s_reason (reason, size, "\"%s\": division %02d is in section %c (%s), not industry; "
                  "above-scale industrial enterprises are in sections B (06-12), C (13-43) or D (44-46)",
                  code, division, section->section, section->name);
        return false;
    }
    return true;
}

bool
inv_utf8_valid (const char *text)
{
    const unsigned char *s = (const unsigned char *) text;
    while (*s) {
        int extra = *s < 0x80? 0: (*s & 0xE0) == 0xC0? 1: (*s & 0xF0) == 0xE0? 2: (*s & 0xF8) == 0xF0? 3: -1;
        if (extra < 0 || (extra == 1 && *s < 0xC2))
            return false;
        s++;
        for (int i = 0; i < extra; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return false;
    }
    return true;
}
