/*  fuzz.h: what every libFuzzer target here shares.

    A cursor over the input, so a target reads its structure (selector bytes,
    length-prefixed frames) and the rest as payload; and the quiet set-up (logging
    at errors only, czmq without its signal handler) done once per process.
*/
#ifndef FUZZ_H
#define FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <czmq.h>
#include "inv_log.h"

typedef struct {
    const uint8_t *data;
    size_t size;
} fuzz_input_t;

/* one byte (0 when the input is used up) */
static inline uint8_t
fuzz_byte (fuzz_input_t *in)
{
    if (in->size == 0)
        return 0;
    uint8_t b = in->data [0];
    in->data++;
    in->size--;
    return b;
}

/* up to want bytes; *got is how many there were */
static inline const uint8_t *
fuzz_bytes (fuzz_input_t *in, size_t want, size_t *got)
{
    const uint8_t *p = in->data;
    *got = want < in->size? want: in->size;
    in->data += *got;
    in->size -= *got;
    return p;
}

static inline void
fuzz_quiet (const char *name)
{
    static bool done = false;
    if (done)
        return;
    done = true;
    setenv ("ZSYS_SIGHANDLER", "false", 1);
    zsys_handler_set (NULL);
    inv_log_init (name);
    inv_log_set_level (getenv ("FUZZ_LOG")? INV_LOG_DEBUG: INV_LOG_ERROR);
}

#endif
