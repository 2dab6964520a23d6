#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/bio.h>

/// Crypto module: sk_GENERAL_NAME_push is a macro over OPENSSL_sk_push; this typed wrapper calls it
/// to build a certificate's subjectAltName list.
static inline int cossl_general_names_push(GENERAL_NAMES *names, GENERAL_NAME *name) { return sk_GENERAL_NAME_push(names, name); }

/// Function-like macros around SSL_CTX_ctrl / BIO_ctrl are not imported into Swift.
static inline long cossl_ctx_set_min_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_min_proto_version(ctx, v); }
static inline long cossl_ctx_set_max_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_max_proto_version(ctx, v); }
static inline long cossl_ctx_set_mode(SSL_CTX *ctx, long m) { return SSL_CTX_set_mode(ctx, m); }
static inline long cossl_ctx_set_options(SSL_CTX *ctx, long o) { return SSL_CTX_set_options(ctx, o); }
static inline long cossl_ctx_set_session_cache_mode(SSL_CTX *ctx, long m) { return SSL_CTX_set_session_cache_mode(ctx, m); }
static inline long cossl_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
/// HTTPServer TLS hardening: the SSL_OP_* options are SSL_OP_BIT(n) macros and
/// SSL_CTX_set1_groups_list wraps SSL_CTX_ctrl, so Swift cannot import them.
static inline uint64_t cossl_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t cossl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t cossl_op_cipher_server_preference(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline long cossl_ctx_set1_groups_list(SSL_CTX *ctx, const char *list) { return SSL_CTX_set1_groups_list(ctx, list); }
#endif
