/*  registry_keys: every Redis key the registry reads or writes, in one place.

    Each is a format for inv_key (buf, size, province, FORMAT, ...), which puts the
    province hash tag in front ("{14}:ent:91140100..."), so every key of a province
    lives in one Redis Cluster slot and one script may touch them all.
    docs/data-model.md describes each key, its type and what maintains it.
*/
#ifndef REGISTRY_KEYS_H
#define REGISTRY_KEYS_H

#define REGISTRY_KEY_MAX             128

/* Hash: body (innov.Enterprise protobuf), city, county, dept, cluster, status, version */
#define REGISTRY_KEY_ENTERPRISE      "ent:%s"               /* credit code */

/* Sorted sets, every member at score 0 so they order by credit code (ZRANGEBYLEX) */
#define REGISTRY_KEY_IDX_ALL         "ent.idx:all"
#define REGISTRY_KEY_IDX_CITY        "ent.idx:city:%s"      /* city code */
#define REGISTRY_KEY_IDX_COUNTY      "ent.idx:county:%s"    /* county code */
#define REGISTRY_KEY_IDX_DEPARTMENT  "ent.idx:dept:%s"      /* department code */
#define REGISTRY_KEY_IDX_CLUSTER     "ent.idx:cluster:%s"   /* cluster code (none when empty) */
#define REGISTRY_KEY_IDX_STATUS      "ent.idx:status:%d"    /* InnovationStatus number */

/* Hashes of counters, field = InnovationStatus number ("1".."4"), value = enterprises */
#define REGISTRY_KEY_CNT_PROVINCE    "ent.cnt:province"
#define REGISTRY_KEY_CNT_CITY        "ent.cnt:city:%s"
#define REGISTRY_KEY_CNT_DEPARTMENT  "ent.cnt:dept:%s"
#define REGISTRY_KEY_CNT_CLUSTER     "ent.cnt:cluster:%s"

/* Fields of the enterprise hash */
#define REGISTRY_FIELD_BODY          "body"
#define REGISTRY_FIELD_VERSION       "version"

#endif
