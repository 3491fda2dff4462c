/*  gateway_keys: every Redis key the gateway reads or writes (formats for inv_key, which
    puts the province hash tag in front: "{14}:gw:tok:<sha256>"). docs/gateway.md
    describes each.
*/
#ifndef GATEWAY_KEYS_H
#define GATEWAY_KEYS_H

#define GATEWAY_KEY_MAX         128

/* Hash of one token, keyed by the SHA-256 (hex) of its secret: id, principal, name,
   created_ms, created_by, prefix, body (innov.Token protobuf, without the secret) */
#define GATEWAY_KEY_TOKEN       "gw:tok:%s"
/* Hash: token id -> SHA-256 hex of its secret (every live token) */
#define GATEWAY_KEY_TOKENS      "gw:tokens"
/* Counter of token ids ("tk<n>") */
#define GATEWAY_KEY_TOKEN_SEQ   "gw:tokseq"

#endif
