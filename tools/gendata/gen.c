/*  gen: realistic above-scale industrial enterprises, deterministic by seed.

    Everything random comes from one splitmix64 stream seeded with --seed, drawn in
    a fixed order per record, so the same profile, province and seed give the same
    records on every run and machine (the log-normal draws use libm, which is exact
    enough for two decimals), and a shorter run is a prefix of a longer one.

    Profiles (gen_profile_find):
      shanxi    one province (14 unless told otherwise), 10,000 records by default,
                about 40% with R&D activity as Shanxi's above-scale industry has;
      national  every county-level division the compiled division table holds,
                500,000 records by default, about 70% not yet innovating (no R&D
                activity) as in the country at large, and the same overall intensity.
    The division table is data/shanxi_divisions.csv, compiled in; it holds Shanxi
    only, so the national set lies in Shanxi's 117 counties until other provinces'
    rows are added there: the generator reads whatever the table holds.

    What a record looks like, and why:
      - county: a real county-level division, chosen by a rough weight of each city's
        industry (Taiyuan, Changzhi, Yuncheng and Jinzhong have most of Shanxi's
        above-scale industry; cities the weight table does not name weigh 1), then
        evenly among the city's counties;
      - industry: a 4-digit class of GB/T 4754-2017 from sections B (mining, mostly coal),
        C (manufacturing, most records) and D (power, heat, gas), from one weighted table
        that also gives the word used in the name, the department in charge (after the
        departments table's typical_field: coal and power to the energy bureau, food to
        agriculture, medicine to health, non-coal mining to natural resources, the rest of
        manufacturing to industry and IT) and the cluster the class usually belongs to;
        a few records go to the state-assets commission (provincial state-owned), commerce
        (foreign-invested) or science and technology (high-tech) instead;
      - credit code: "91" (enterprise, company) + the county's code + a 9-character
        organisation code with its GB 11714 check character (digits, or "MA" + digits
        and letters as codes issued since 2015 look) + the GB 32100 check character;
      - name: a place prefix (the province, the city or the county, without 省/市/县/区),
        a two-character trade name (字号, about 1,600 of them), the industry word and
        有限公司 / 股份有限公司 / 集团有限公司;
      - operating revenue: at least 2000 万元 (the above-scale threshold) plus a
        log-normal amount, larger in coal, metals and power;
      - R&D: the chance of R&D activity grows with size and with the industry's
        R&D factor, times the profile's propensity; those with activity spend a
        log-normal share of revenue around the profile's median, so the overall
        intensity comes out near the 0.7% Shanxi reported for 2020; R&D institutions
        mostly among them;
      - status: enterprises with R&D activity are active or closed (销号), the others not
        started or in progress.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <czmq.h>
#include "gen.h"
#include "inv_valid.h"

typedef struct {
    const char *code;           /* GB/T 4754-2017 class */
    const char *word;           /* for the name */
    double weight;
    const char *department;
    const char *cluster;        /* Chinese name of the usual cluster, or NULL */
    double cluster_share;       /* how many of the class belong to it */
    double size;                /* revenue scale factor */
    double rd;                  /* R&D activity factor */
} industry_t;

static const industry_t s_industries [] = {
    /* B: mining */
    { "0610", "煤业", 9.0, "nyj", NULL, 0, 3.0, 0.8 },
    { "0690", "洗煤", 1.5, "nyj", NULL, 0, 1.2, 0.6 },
    { "0721", "燃气开发", 0.6, "nyj", NULL, 0, 2.0, 0.9 },
    { "0810", "矿业", 1.2, "zrzyt", NULL, 0, 1.2, 0.6 },
    { "0916", "铝土矿业", 0.4, "zrzyt", NULL, 0, 1.2, 0.6 },
    { "1011", "建材矿业", 0.8, "zrzyt", NULL, 0, 0.8, 0.5 },
    /* C: manufacturing */
    { "1331", "粮油", 1.0, "nynct", NULL, 0, 0.8, 0.7 },
    { "1391", "淀粉", 0.5, "nynct", NULL, 0, 0.8, 0.7 },
    { "1441", "乳业", 0.7, "nynct", "现代生物医药和大健康", 0.2, 1.0, 0.9 },
    { "1462", "醋业", 1.0, "nynct", "现代生物医药和大健康", 0.1, 0.7, 0.8 },
    { "1512", "酒业", 1.0, "nynct", NULL, 0, 1.2, 0.8 },
    { "1524", "饮品", 0.5, "nynct", NULL, 0, 0.7, 0.7 },
    { "1711", "纺织", 0.5, "gxt", NULL, 0, 0.7, 0.6 },
    { "2011", "木业", 0.3, "gxt", NULL, 0, 0.6, 0.5 },
    { "2221", "纸业", 0.4, "gxt", NULL, 0, 0.7, 0.6 },
    { "2521", "焦化", 3.0, "gxt", "碳基新材料", 0.3, 2.5, 0.9 },
    { "2614", "化工", 2.0, "gxt", "碳基新材料", 0.3, 1.5, 1.1 },
    { "2621", "化肥", 0.8, "gxt", NULL, 0, 1.3, 0.9 },
    { "2651", "新材料", 0.8, "gxt", "碳基新材料", 0.6, 1.0, 1.4 },
    { "2662", "精细化工", 0.8, "gxt", "生物基新材料", 0.3, 0.9, 1.3 },
    { "2710", "制药", 0.8, "wjw", "现代生物医药和大健康", 0.8, 1.0, 1.6 },
    { "2720", "药业", 0.8, "wjw", "现代生物医药和大健康", 0.8, 1.0, 1.6 },
    { "2740", "中药", 0.8, "wjw", "现代生物医药和大健康", 0.8, 0.8, 1.4 },
    { "2832", "生物材料", 0.4, "gxt", "生物基新材料", 0.8, 0.9, 1.5 },
    { "2927", "塑料制品", 0.6, "gxt", NULL, 0, 0.6, 0.7 },
    { "3011", "水泥", 1.5, "gxt", NULL, 0, 1.0, 0.7 },
    { "3041", "玻璃", 0.5, "gxt", "光伏", 0.3, 1.0, 0.9 },
    { "3089", "耐火材料", 1.2, "gxt", NULL, 0, 0.7, 0.8 },
    { "3091", "碳素", 1.0, "gxt", "碳基新材料", 0.7, 1.0, 1.2 },
    { "3110", "钢铁", 0.8, "gxt", NULL, 0, 4.0, 1.0 },
    { "3130", "特钢", 1.2, "gxt", "特种金属材料", 0.6, 2.5, 1.2 },
    { "3216", "铝业", 1.0, "gxt", "特种金属材料", 0.6, 2.0, 1.0 },
    { "3217", "镁业", 1.0, "gxt", "特种金属材料", 0.8, 1.0, 1.1 },
    { "3311", "金属结构", 2.0, "gxt", NULL, 0, 0.8, 0.9 },
    { "3391", "铸造", 2.0, "gxt", NULL, 0, 0.8, 0.9 },
    { "3411", "锅炉", 0.5, "gxt", "节能环保", 0.4, 1.0, 1.1 },
    { "3441", "泵业", 0.5, "gxt", NULL, 0, 0.8, 1.1 },
    { "3511", "煤机装备", 2.0, "gxt", "煤机智能制造装备", 0.8, 1.3, 1.4 },
    { "3591", "环保设备", 1.0, "sthjt", "节能环保", 0.8, 0.8, 1.3 },
    { "3612", "新能源汽车", 0.4, "gxt", "节能与新能源汽车", 0.9, 2.0, 1.5 },
    { "3670", "汽车零部件", 1.2, "gxt", "节能与新能源汽车", 0.6, 0.9, 1.3 },
    { "3716", "轨道交通装备", 0.8, "gxt", "先进轨道交通装备", 0.9, 1.3, 1.5 },
    { "3744", "航空装备", 0.3, "gxt", "通用航空", 0.9, 1.0, 1.6 },
    { "3825", "光伏设备", 0.8, "gxt", "光伏", 0.9, 1.2, 1.4 },
    { "3841", "新能源电池", 0.6, "gxt", "节能与新能源汽车", 0.5, 1.2, 1.5 },
    { "3911", "信息技术", 0.6, "gxt", "信息技术应用创新", 0.8, 1.0, 1.8 },
    { "3973", "半导体", 0.4, "gxt", "半导体", 0.9, 1.0, 1.9 },
    { "3976", "光电", 0.5, "gxt", "光电", 0.9, 1.0, 1.8 },
    { "3985", "电子材料", 0.5, "gxt", "半导体", 0.6, 0.9, 1.6 },
    { "3990", "数据科技", 0.3, "gxt", "大数据融合创新", 0.8, 0.8, 1.7 },
    { "4021", "仪器仪表", 0.4, "gxt", "节能环保", 0.3, 0.7, 1.6 },
    /* D: power, heat, gas */
    { "4411", "发电", 2.0, "nyj", NULL, 0, 3.0, 0.8 },
    { "4415", "风电", 0.8, "nyj", "节能环保", 0.2, 1.2, 0.8 },
    { "4416", "光伏发电", 0.8, "nyj", "光伏", 0.5, 1.0, 0.8 },
    { "4430", "热力", 1.2, "nyj", NULL, 0, 1.0, 0.6 },
    { "4511", "燃气", 1.0, "nyj", NULL, 0, 1.2, 0.6 },
};
#define INDUSTRIES (sizeof s_industries / sizeof s_industries [0])

static const gen_profile_t s_profiles [] = {
    { "shanxi",   false,  10000, 1.0,  0.012 },
    { "national", true,  500000, 0.75, 0.0165 },
};
#define PROFILES (sizeof s_profiles / sizeof s_profiles [0])

/* Rough share of above-scale industry by city (Shanxi); other cities weigh 1. */
static const struct { const char *city; double weight; } s_city_weights [] = {
    { "140100", 15 }, { "140200", 8 }, { "140300", 5 }, { "140400", 12 }, { "140500", 10 },
    { "140600", 5 }, { "140700", 11 }, { "140800", 12 }, { "140900", 6 }, { "141000", 9 },
    { "141100", 9 },
};

/* Trade names (字号): a first and a second character of the words companies favour. */
static const char *s_stem_first [] = {
    "华", "宏", "恒", "泰", "金", "瑞", "永", "鼎", "天", "中", "盛", "同", "信", "兴",
    "鸿", "博", "嘉", "润", "弘", "安", "昌", "富", "广", "海", "和", "汇", "吉", "佳",
    "锦", "聚", "凯", "坤", "力", "联", "龙", "鹏", "启", "庆", "荣", "晋",
};
static const char *s_stem_second [] = {
    "鑫", "达", "通", "和", "盛", "丰", "泰", "成", "源", "创", "业", "运", "远", "禾",
    "毅", "顺", "诚", "鼎", "程", "力", "拓", "腾", "航", "德", "晟", "纪", "普", "伟",
    "兴", "火", "耀", "诺", "亨", "润", "华", "越", "胜", "泽", "星", "辉",
};
#define STEM_FIRST (sizeof s_stem_first / sizeof s_stem_first [0])
#define STEM_SECOND (sizeof s_stem_second / sizeof s_stem_second [0])

static const char s_org_chars [] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

struct _gen_t {
    uint64_t state;
    const gen_profile_t *profile;
    const inv_division_t **counties;
    double *county_weights;     /* cumulative */
    size_t county_count;
    double industry_total;
    zhashx_t *codes;            /* issued credit codes */
    zhashx_t *names;            /* issued names */
};

/* ---- randomness ------------------------------------------------------------------------- */

static uint64_t
s_next (gen_t *self)
{
    uint64_t z = (self->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) */
static double
s_uniform (gen_t *self)
{
    return (double) (s_next (self) >> 11) * 0x1.0p-53;
}

static size_t
s_below (gen_t *self, size_t n)
{
    return (size_t) (s_uniform (self) * (double) n);
}

static bool
s_chance (gen_t *self, double p)
{
    return s_uniform (self) < p;
}

/* Standard normal (Box-Muller, one value per two draws) */
static double
s_normal (gen_t *self)
{
    double u1 = s_uniform (self), u2 = s_uniform (self);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt (-2.0 * log (u1)) * cos (2.0 * M_PI * u2);
}

/* ---- set-up ----------------------------------------------------------------------------- */

static double
s_city_weight (const char *city)
{
    for (size_t i = 0; i < sizeof s_city_weights / sizeof s_city_weights [0]; i++)
        if (strcmp (s_city_weights [i].city, city) == 0)
            return s_city_weights [i].weight;
    return 1;
}

const gen_profile_t *
gen_profile_find (const char *name)
{
    for (size_t i = 0; name && i < PROFILES; i++)
        if (strcmp (s_profiles [i].name, name) == 0)
            return &s_profiles [i];
    return NULL;
}

const char *
gen_profile_names (void)
{
    return "shanxi, national";
}

/* A county the profile draws from */
static bool
s_in_profile (const gen_profile_t *profile, const char *province, const inv_division_t *division)
{
    return division->level == INV_DIV_COUNTY
        && (profile->every_province || strcmp (division->province, province) == 0);
}

gen_t *
gen_new (const gen_profile_t *profile, const char *province, uint64_t seed, char *err, size_t errsize)
{
    if (!profile)
        profile = &s_profiles [0];
    if (!province)
        province = "14";
    size_t count = 0;
    const inv_division_t *all = inv_division_all (&count);
    size_t counties = 0;
    for (size_t i = 0; i < count; i++)
        counties += s_in_profile (profile, province, &all [i]);
    if (counties == 0) {
        if (profile->every_province)
            snprintf (err, errsize, "the division table holds no county");
        else
            snprintf (err, errsize, "province %s: no county in the division table", province);
        return NULL;
    }
    gen_t *self = (gen_t *) zmalloc (sizeof (gen_t));
    self->state = seed;
    self->profile = profile;
    self->counties = (const inv_division_t **) zmalloc (counties * sizeof (inv_division_t *));
    self->county_weights = (double *) zmalloc (counties * sizeof (double));

    /* Each county weighs its city's weight shared among the city's counties */
    zhashx_t *siblings = zhashx_new ();         /* city -> number of counties */
    for (size_t i = 0; i < count; i++)
        if (all [i].level == INV_DIV_COUNTY) {
            size_t n = (size_t) zhashx_lookup (siblings, all [i].city);
            zhashx_update (siblings, all [i].city, (void *) (n + 1));
        }
    double total = 0;
    for (size_t i = 0; i < count; i++) {
        if (!s_in_profile (profile, province, &all [i]))
            continue;
        size_t n = (size_t) zhashx_lookup (siblings, all [i].city);
        total += s_city_weight (all [i].city) / (double) n;
        self->counties [self->county_count] = &all [i];
        self->county_weights [self->county_count++] = total;
    }
    zhashx_destroy (&siblings);
    for (size_t i = 0; i < INDUSTRIES; i++)
        self->industry_total += s_industries [i].weight;
    self->codes = zhashx_new ();
    self->names = zhashx_new ();
    return self;
}

size_t
gen_county_count (const gen_t *self)
{
    return self->county_count;
}

void
gen_destroy (gen_t **self_p)
{
    if (self_p && *self_p) {
        gen_t *self = *self_p;
        free (self->counties);
        free (self->county_weights);
        zhashx_destroy (&self->codes);
        zhashx_destroy (&self->names);
        free (self);
        *self_p = NULL;
    }
}

/* ---- codes ------------------------------------------------------------------------------ */

static int
s_org_value (char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

char
gen_org_check_char (const char *first8)
{
    static const int weights [8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int value = s_org_value (first8 [i]);
        if (value < 0)
            return 0;
        sum += value * weights [i];
    }
    int check = 11 - sum % 11;
    if (check == 10)
        return 'X';
    if (check == 11)
        return '0';
    return (char) ('0' + check);
}

static void
s_credit_code (gen_t *self, const char *county, char *out)
{
    while (true) {
        char org [10];
        if (s_chance (self, 0.4)) {
            /* Issued since 2015: "MA" then digits and letters */
            org [0] = 'M';
            org [1] = 'A';
            for (int i = 2; i < 8; i++)
                org [i] = s_org_chars [s_below (self, sizeof s_org_chars - 1)];
        }
        else
            for (int i = 0; i < 8; i++)
                org [i] = (char) ('0' + s_below (self, 10));
        org [8] = gen_org_check_char (org);
        org [9] = '\0';
        char first17 [18];
        snprintf (first17, sizeof first17, "91%s%s", county, org);
        if (!inv_credit_code_complete (first17, out))
            continue;                   /* cannot happen with allowed characters */
        if (!zhashx_lookup (self->codes, out)) {
            zhashx_insert (self->codes, out, (void *) 1);
            return;
        }
    }
}

/* ---- names ------------------------------------------------------------------------------ */

/* Number of UTF-8 characters */
static size_t
s_chars (const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

/* Place name without its administrative suffix (省, 市, 县, 区, 自治区...), when that
   leaves two characters or more. */
static void
s_short_place (const char *name, char *out, size_t size)
{
    static const char *suffixes [] = {
        "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州",
        "自治县", "省", "市", "县", "区", "盟", "旗",
    };
    snprintf (out, size, "%s", name);
    size_t len = strlen (out);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes [0]; i++) {
        size_t cut = strlen (suffixes [i]);
        if (len > cut && strcmp (out + len - cut, suffixes [i]) == 0) {
            out [len - cut] = '\0';
            if (s_chars (out) < 2)
                out [len - cut] = suffixes [i][0];      /* too short: keep the suffix */
            return;
        }
    }
}

static void
s_name (gen_t *self, const inv_division_t *county, const industry_t *industry, char *out, size_t size)
{
    const inv_division_t *city = inv_division_find (county->city);
    const inv_division_t *province = inv_division_find (county->province);
    char province_prefix [64], city_prefix [64], county_prefix [64];
    s_short_place (province? province->name: "山西省", province_prefix, sizeof province_prefix);
    s_short_place (city? city->name: county->name, city_prefix, sizeof city_prefix);
    s_short_place (county->name, county_prefix, sizeof county_prefix);
    for (int attempt = 0; ; attempt++) {
        const char *place;
        double pick = s_uniform (self);
        if (pick < 0.3)
            place = province_prefix;
        else
        if (pick < 0.65 || (s_chars (county->name) == 2 && strstr (county->name, "区")))
            place = city_prefix;
        else
            place = county_prefix;
        const char *first = s_stem_first [s_below (self, STEM_FIRST)];
        const char *second = s_stem_second [s_below (self, STEM_SECOND)];
        double form = s_uniform (self);
        const char *suffix = form < 0.85? "有限公司": form < 0.95? "股份有限公司": "集团有限公司";
        if (attempt < 20)
            snprintf (out, size, "%s%s%s%s%s", place, first, second, industry->word, suffix);
        else
            snprintf (out, size, "%s%s%s%s%d号%s", place, first, second, industry->word, attempt, suffix);
        if (!zhashx_lookup (self->names, out)) {
            zhashx_insert (self->names, out, (void *) 1);
            return;
        }
    }
}

/* ---- records ---------------------------------------------------------------------------- */

static const inv_division_t *
s_county (gen_t *self)
{
    double pick = s_uniform (self) * self->county_weights [self->county_count - 1];
    size_t low = 0, high = self->county_count - 1;     /* first weight above pick */
    while (low < high) {
        size_t mid = (low + high) / 2;
        if (pick < self->county_weights [mid])
            high = mid;
        else
            low = mid + 1;
    }
    return self->counties [low];
}

static const industry_t *
s_industry (gen_t *self)
{
    double pick = s_uniform (self) * self->industry_total;
    for (size_t i = 0; i < INDUSTRIES; i++) {
        if (pick < s_industries [i].weight)
            return &s_industries [i];
        pick -= s_industries [i].weight;
    }
    return &s_industries [INDUSTRIES - 1];
}

static void
s_department (gen_t *self, const industry_t *industry, const char *cluster, char *out, size_t size)
{
    const char *code = industry->department;
    double pick = s_uniform (self);
    if (industry->size >= 2.0 && pick < 0.15)
        code = "gzw";                   /* large coal, metal, power: provincial state-owned */
    else
    if (industry->code [0] >= '1' && industry->code [0] <= '4' && strcmp (industry->department, "gxt") == 0) {
        if (pick < 0.03)
            code = "swt";               /* foreign-invested manufacturer */
        else
        if (cluster && *cluster && pick < 0.08)
            code = "kjt";               /* high-tech enterprise */
    }
    const inv_department_t *department = inv_department_find (code);
    if (!department)
        department = inv_department_find ("gxt");
    snprintf (out, size, "%s", department? department->code: code);
}

static double
s_round2 (double value)
{
    return round (value * 100.0) / 100.0;
}

void
gen_next (gen_t *self, gen_record_t *r)
{
    memset (r, 0, sizeof *r);
    const inv_division_t *county = s_county (self);
    const industry_t *industry = s_industry (self);
    snprintf (r->county, sizeof r->county, "%s", county->code);
    snprintf (r->city, sizeof r->city, "%s", county->city);
    snprintf (r->industry, sizeof r->industry, "%s", industry->code);
    s_credit_code (self, county->code, r->credit_code);
    s_name (self, county, industry, r->name, sizeof r->name);

    if (industry->cluster && s_chance (self, industry->cluster_share)) {
        const inv_cluster_t *cluster = inv_cluster_find (industry->cluster);
        if (cluster)
            snprintf (r->cluster, sizeof r->cluster, "%s", cluster->code);
    }
    s_department (self, industry, r->cluster, r->department, sizeof r->department);

    /* Revenue: threshold plus a log-normal amount (median about 9000 万元 times size) */
    double extra = exp (log (9000.0 * industry->size) + 1.25 * s_normal (self));
    if (extra > 5.0e7)
        extra = 5.0e7;
    r->operating_revenue = s_round2 (2000.0 + extra);

    /* R&D activity: more likely for large enterprises and R&D-heavy industries */
    double p = (0.28 + 0.13 * log10 (r->operating_revenue / 2000.0)) * industry->rd
             * self->profile->rd_propensity;
    p = p < 0.05? 0.05: p > 0.95? 0.95: p;
    r->has_rd_activity = s_chance (self, p);
    double intensity = exp (log (self->profile->rd_intensity) + 0.8 * s_normal (self));
    if (intensity > 0.15)
        intensity = 0.15;
    r->rd_expenditure = r->has_rd_activity? s_round2 (r->operating_revenue * intensity): 0;
    r->has_rd_institution = s_chance (self, r->has_rd_activity? 0.55: 0.03);

    double status = s_uniform (self);
    if (r->has_rd_activity)
        r->status = status < 0.82? "active": "closed";
    else
        r->status = status < 0.62? "not_started": "in_progress";
}

/* ---- CSV -------------------------------------------------------------------------------- */

static void
s_csv_field (FILE *out, const char *text)
{
    if (strpbrk (text, ",\"\r\n")) {
        fputc ('"', out);
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                fputc ('"', out);
            fputc (*p, out);
        }
        fputc ('"', out);
    }
    else
        fputs (text, out);
}

void
gen_csv_header (FILE *out)
{
    fputs ("credit_code,name,county,industry,department,cluster,operating_revenue,"
           "rd_expenditure,has_rd_institution,has_rd_activity,status\n", out);
}

void
gen_csv_row (FILE *out, const gen_record_t *r)
{
    s_csv_field (out, r->credit_code);
    fputc (',', out);
    s_csv_field (out, r->name);
    fprintf (out, ",%s,%s,%s,", r->county, r->industry, r->department);
    s_csv_field (out, r->cluster);
    fprintf (out, ",%.2f,%.2f,%s,%s,%s\n", r->operating_revenue, r->rd_expenditure,
             r->has_rd_institution? "yes": "no", r->has_rd_activity? "yes": "no", r->status);
}
