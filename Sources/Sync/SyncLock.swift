import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `HOME/sync.lock`: an exclusive `flock(2)` that keeps two syncs (cron and `serve
/// --sync-every`) from overlapping. The kernel drops it when the process dies, so a killed sync
/// never leaves a stale lock.
public final class SyncLock {
    private let fd: Int32

    /// Tries to take the lock without waiting; nil when another process holds it.
    public static func tryAcquire(path: String) throws(SyncError) -> SyncLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SyncError(code: "local", "cannot open \(path); check the home's permissions", isLocal: true)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return SyncLock(fd: fd)
    }

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
