/*  resp_load: the baseline of the import benchmark. Turns a gendata CSV into the Redis
    protocol (RESP) of exactly the writes the registry makes for each new enterprise,
    for `redis-cli --pipe` to load into a fresh Redis.
*/
#ifndef RESP_LOAD_H
#define RESP_LOAD_H
#include <stddef.h>
#include <stdint.h>

/* Reads csv_path (gendata's header and rows) and writes resp_path; returns the number
   of enterprises written, or -1 (reason in err) if a file cannot be read or written
   or a row does not parse. */
int64_t resp_load_write (const char *csv_path, const char *resp_path, char *err, size_t errsize);
#endif
