#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro with a cast to a function pointer: Swift cannot import it.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_db_config is variadic: typed wrappers for the options citybench sets.
static inline int csqlite_db_config_defensive(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0);
}
static inline int csqlite_db_config_trusted_schema(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, on, (int *)0);
}
/// sqlite3_config is variadic: turns off SQLite's memory statistics, whose global mutex every
/// allocation would otherwise take. Only effective before the first connection opens.
static inline int csqlite_config_memstatus(int on) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}

/// The WAL-index (the `-shm` shared memory) of `db`'s main database as SQLite itself maps it,
/// through the VFS's own xShmMap (region 0, never extended), or NULL when it is not mapped yet.
/// Call only on a connection in WAL mode that has read: elsewhere the unix VFS would open (and
/// keep open) a shared-memory file SQLite never attached. Never opens the file itself: on
/// Linux, closing any descriptor of a file drops every POSIX lock the process holds on it, and
/// SQLite's shared-memory locks live on that file. Valid until the connection closes or leaves
/// WAL mode.
static inline const volatile void *csqlite_wal_index(sqlite3 *db) {
    sqlite3_file *file = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file || !file->pMethods) return 0;
    if (file->pMethods->iVersion < 2 || !file->pMethods->xShmMap) return 0;
    volatile void *region = 0;
    if (file->pMethods->xShmMap(file, 0, 32768, 0, &region) != SQLITE_OK) return 0;
    return region;
}

/// Copies the WAL-index header (48 bytes, https://www.sqlite.org/walformat.html §2.1) into `out`
/// as SQLite's readers take it (walIndexTryHdr): the first copy, a barrier, the second copy;
/// 1 when both agree, the header is initialised and its checksum holds, 0 while a writer is
/// rewriting it or it is not a valid header (the caller then asks SQLite instead).
static inline int csqlite_wal_index_header(const volatile void *region, unsigned int out[12]) {
    const volatile unsigned int *words = (const volatile unsigned int *)region;
    unsigned int first[12], second[12];
    for (int i = 0; i < 12; i++) first[i] = words[i];
    __sync_synchronize();
    for (int i = 0; i < 12; i++) second[i] = words[12 + i];
    for (int i = 0; i < 12; i++) if (first[i] != second[i]) return 0;
    if (((const unsigned char *)first)[12] != 1) return 0;  // isInit
    unsigned int s1 = 0, s2 = 0;  // walChecksumBytes over the first 40 bytes, native byte order
    for (int i = 0; i < 10; i += 2) {
        s1 += first[i] + s2;
        s2 += first[i + 1] + s1;
    }
    if (s1 != first[10] || s2 != first[11]) return 0;
    for (int i = 0; i < 12; i++) out[i] = first[i];
    return 1;
}
#endif
