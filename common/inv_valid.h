/*  inv_valid: validation of identities the whole platform depends on.

    Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
    "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, Z, S, V); the 18th is the check character
    computed from the first 17 with weights 3^(i) mod 31; positions 3-8 are the
    registering authority's division code and must be digits (any province's code is
    accepted; the division need not be in the compiled table). Lower case is refused
    (agencies' data must be normalised before it is stored, so one enterprise has one
    key). Reasons, checked in this order, read like:
        "has 17 characters; a credit code has 18"
        "bad character 'O' at position 9: only digits and capital letters (no I, O, S, V, Z) ..."
        "bad character 'm' at position 9: lower case is not allowed, write 'M'"
        "bad character 'A' at position 4: positions 3-8 are the 6-digit division code"
        "wrong check character '4' at position 18: expected '3'"
    Positions count from 1; the reason does not repeat the field name, so a caller
    writes inv_call_field_error (call, "credit_code", "%s", reason).

    Division codes (GB/T 2260): the table compiled in from data/shanxi_divisions.csv
    (prefecture cities and county-level divisions); more provinces are more rows.
*/
#ifndef INV_VALID_H
#define INV_VALID_H
#include <stdbool.h>
#include <stddef.h>

/* Check character for the first 17 characters, or 0 if one of them is not allowed. */
char inv_credit_code_check_char (const char *first17);
/* True if valid; otherwise false with a human reason in reason (may be NULL). */
bool inv_credit_code_valid (const char *code, char *reason, size_t size);
/* Complete a 17-character prefix into a valid 18-character code (out >= 19 bytes). */
bool inv_credit_code_complete (const char *first17, char *out);

typedef enum { INV_DIV_PROVINCE, INV_DIV_CITY, INV_DIV_COUNTY } inv_div_level_t;
typedef struct {
    char code [7];              /* "140105" */
    char name [64];             /* "小店区" */
    char kind [16];             /* prefecture, district, county, city */
    inv_div_level_t level;
    char city [7];              /* prefecture code of a county, own code of a city */
    char province [3];          /* "14" */
} inv_division_t;

/* Look up a 6-digit code; NULL if unknown. The province itself ("140000", level
   INV_DIV_PROVINCE, kind "province", city "") is a record too. */
const inv_division_t *inv_division_find (const char *code);
/* All divisions: the CSV's rows in table order (cities and counties), then one record
   per province met as a parent; *count set. Filter on level to list cities. */
const inv_division_t *inv_division_all (size_t *count);
bool inv_division_is_county (const char *code);
bool inv_division_is_city (const char *code);

/* Provincial departments, compiled in from data/shanxi_departments.csv. Agencies write
   them by code ("gxt", any case), full name, short name or any alias; all resolve to
   one record. Surrounding spaces are ignored, and a name still unknown is tried once
   more without the province's prefix ("山西省" or "省"), so "工业和信息化厅" is gxt.
   Tables are parsed once, lazily, thread-safely (pthread_once). */
typedef struct {
    char code [16];            /* "gxt" */
    char name [96];            /* 山西省工业和信息化厅 */
    char short_name [64];      /* 省工信厅 */
    char field [256];          /* typical_field column: illustrative, configuration */
} inv_department_t;
const inv_department_t *inv_department_find (const char *code_name_or_alias);
const inv_department_t *inv_department_all (size_t *count);

/* The 14 industry clusters (14大标志性引领性产业集群). Codes are stable ASCII:
     xinchuang 信息技术应用创新, semiconductor 半导体, bigdata 大数据融合创新,
     optoelectronics 光电, photovoltaic 光伏, carbon_materials 碳基新材料,
     special_metals 特种金属材料, biobased_materials 生物基新材料,
     rail_transit 先进轨道交通装备, coal_machinery 煤机智能制造装备,
     new_energy_vehicle 节能与新能源汽车, general_aviation 通用航空,
     biomedicine 现代生物医药和大健康, energy_saving 节能环保.
   Codes never change once data carries them; codes match in any case.
   inv_cluster_find accepts the code or the Chinese name (including the later name
   智能网联新能源汽车 of the vehicle cluster). */
typedef struct { const char *code; const char *name; } inv_cluster_t;
const inv_cluster_t *inv_cluster_find (const char *code_or_name);
const inv_cluster_t *inv_cluster_all (size_t *count);

/* Industry code (GB/T 4754-2017): 2 to 4 digits whose division (first two digits)
   exists. GB/T 4754-2017 has 97 divisions, numbered 01 to 97 without a hole, so "00"
   and "98"/"99" do not exist; the group and class digits (3rd, 4th) are not checked
   against the full list of classes. Every enterprise on this platform is an
   above-scale INDUSTRIAL enterprise, so a code outside sections B (06-12, mining),
   C (13-43, manufacturing) and D (44-46, utilities) is REJECTED, with a reason naming
   its section, e.g. "\"5110\": division 51 is in section F (批发和零售业), not industry; ...". */
bool inv_industry_valid (const char *code, char *reason, size_t size);
/* Section letter 'A'..'T' of a code's division, or 0 if there is none. */
char inv_industry_section (const char *code);
/* Chinese name of an industrial division (06-46), e.g. "汽车制造业" for "3612"; NULL
   for other divisions. */
const char *inv_industry_division_name (const char *code);


/* True if text (NUL-terminated) is well-formed UTF-8: no stray continuation bytes, no
   overlong 2-byte forms, no truncated sequences. */
bool inv_utf8_valid (const char *text);
#endif
