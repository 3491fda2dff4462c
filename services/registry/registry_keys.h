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
#define REGISTRY_KEY_IDX_REVIEW      "ent.idx:review"       /* ACTIVE with a closing awaiting review */

/* Sorted set of "<name>\x1f<credit code>" at score 0: name search (prefix by
   ZRANGEBYLEX, substring by ZSCAN MATCH) */
#define REGISTRY_KEY_IDX_NAME        "ent.idx:name"
#define REGISTRY_NAME_SEP            "\x1f"

/* List of innov.StatusChange protobufs, oldest first: the enterprise's workflow history */
#define REGISTRY_KEY_HISTORY         "ent.hist:%s"          /* credit code */

/* Hashes of counters, field = InnovationStatus number ("1".."4"), value = enterprises;
   and the assessment sums of the same enterprises, maintained by the same scripts:
   how many have an R&D institution, R&D activity, an alliance, and the sums of their
   operating revenue and R&D expenditure in hundredths of 10k yuan (integers, exact) */
#define REGISTRY_KEY_CNT_PROVINCE    "ent.cnt:province"
#define REGISTRY_KEY_CNT_CITY        "ent.cnt:city:%s"
#define REGISTRY_KEY_CNT_DEPARTMENT  "ent.cnt:dept:%s"
#define REGISTRY_KEY_CNT_CLUSTER     "ent.cnt:cluster:%s"
#define REGISTRY_CNT_RD_INSTITUTION  "rdi"
#define REGISTRY_CNT_RD_ACTIVITY     "rda"
#define REGISTRY_CNT_ALLIANCE        "ali"
#define REGISTRY_CNT_REVENUE         "rev"
#define REGISTRY_CNT_RD_EXPENDITURE  "rde"
#define REGISTRY_AMOUNT_UNITS        100     /* counter units per 10k yuan */

/* Agencies. Hash: body (innov.Agency protobuf), kind (AgencyKind number), version */
#define REGISTRY_KEY_AGENCY          "agency:%s"            /* agency code */
#define REGISTRY_KEY_AGENCY_PREFIX   "agency:"
/* Sorted sets of agency codes at score 0 */
#define REGISTRY_KEY_AGENCY_ALL      "agency.idx:all"
#define REGISTRY_KEY_AGENCY_KIND     "agency.idx:kind:%d"   /* AgencyKind number */
#define REGISTRY_KEY_AGENCY_KIND_PREFIX   "agency.idx:kind:"
#define REGISTRY_KEY_AGENCY_PARENT   "agency.idx:parent:%s" /* parent agency code */
#define REGISTRY_KEY_AGENCY_PARENT_PREFIX "agency.idx:parent:"

/* String (innov.ImportEnterprisesReply protobuf, 24 h): the reply of an enterprise.import
   batch, so a batch retried with its idempotency key answers as the first time */
#define REGISTRY_KEY_IMPORT_IDEM     "import.idem:%s:%s"    /* actor, idempotency key */
#define REGISTRY_IMPORT_IDEM_TTL_MS  86400000

/* Fields of the enterprise hash */
#define REGISTRY_FIELD_BODY          "body"
#define REGISTRY_FIELD_VERSION       "version"

#endif
