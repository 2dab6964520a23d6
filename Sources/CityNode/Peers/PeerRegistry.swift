import Foundation
import Formats
import Replication
import Store

extension Node {
    /// `peer add`: trusts the descriptor's origin (releasing its quarantine) and makes it a sync
    /// peer, in one transaction; writes `HOME/peers/<name>.json` as the operator copy.
    @discardableResult
    public func addPeer(_ descriptor: PeerDescriptor, name: String?) throws(NodeError) -> PeerRecord {
        guard let url = descriptor.url, !url.isEmpty, url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw NodeError(.invalidInput, "the descriptor of \(descriptor.label ?? descriptor.origin) has no url, so it cannot be a sync peer; use 'citybench peer trust' to trust its records only")
        }
        return try register(descriptor, name: name, syncPeer: true)
    }

    /// `peer trust FILE`: trusts the origin (releasing its quarantine) without ever contacting it.
    @discardableResult
    public func trustPeer(_ descriptor: PeerDescriptor, name: String?) throws(NodeError) -> PeerRecord {
        try register(descriptor, name: name, syncPeer: false)
    }

    /// `peer trust ORIGIN`: trusts an origin whose first key record sits in quarantine (relayed
    /// by a peer); its name defaults to the quarantined profile's label.
    @discardableResult
    public func trustQuarantinedOrigin(_ origin: String, name: String?) throws(NodeError) -> PeerRecord {
        let origin = origin.lowercased()
        let keyHeader: [UInt8]? = try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT header FROM item WHERE origin = ? AND kind = 'key' AND n = 1 AND quarantine_peer IS NOT NULL LIMIT 1")
            try stmt.bind([.text(origin)])
            return try stmt.step() ? stmt.blob(0) : nil
        }
        guard let keyHeader, let header = try? Header.parse(keyHeader), case .key(let pub, _, _) = header.body else {
            throw NodeError(.invalidInput, "no records of origin \(origin) are in quarantine, so it cannot be trusted by id; ask that city for its descriptor and run 'citybench peer trust FILE'")
        }
        let label = try quarantinedLabel(origin)
        let descriptor = PeerDescriptor(origin: origin, label: label.flatMap { PeerName.isValid($0) ? $0 : nil },
                                        publicKey: Base64URL.encode(pub), url: nil, tlsPin: nil)
        return try register(descriptor, name: name, syncPeer: false)
    }

    /// `peer remove NAME`: stops syncing with and trusting the peer; its records go to quarantine.
    public func removePeer(named name: String) throws(NodeError) {
        guard let peer = try peer(named: name) else { throw unknownPeer(name) }
        try write { () throws in
            try database.prepare("DELETE FROM peer WHERE name = ?").run([.text(name)])
        }
        try distrust(origin: peer.origin)
        try? FileManager.default.removeItem(atPath: peerFile(name))
    }

    /// `peer import DIR`: trusts every `*.json` descriptor in `directory` as `peer trust FILE`
    /// (no sync peers). All descriptors are validated before anything is trusted.
    public func importPeers(directory: String) throws(NodeError) -> [PeerRecord] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw NodeError(.invalidInput, "cannot read the roster directory \(directory)")
        }
        var descriptors: [PeerDescriptor] = []
        for file in names.sorted() where file.hasSuffix(".json") {
            descriptors.append(try PeerDescriptor(file: (directory as NSString).appendingPathComponent(file)))
        }
        let own = try originID()
        var out: [PeerRecord] = []
        for d in descriptors where d.origin != own {
            if let existing = try peer(origin: d.origin) {
                try trust(origin: d.origin, label: d.label)
                out.append(existing)
            } else {
                out.append(try trustPeer(d, name: nil))
            }
        }
        return out
    }

    /// Every peer, by name.
    public func peers() throws(NodeError) -> [PeerRecord] {
        try selectPeers("ORDER BY p.name", [])
    }

    /// The peer called `name`, if any.
    public func peer(named name: String) throws(NodeError) -> PeerRecord? {
        try selectPeers("WHERE p.name = ?", [.text(name)]).first
    }

    /// The peer for `origin`, if any.
    public func peer(origin: String) throws(NodeError) -> PeerRecord? {
        try selectPeers("WHERE p.origin = ?", [.text(origin)]).first
    }

    // MARK: - Internals

    private func register(_ d: PeerDescriptor, name: String?, syncPeer: Bool) throws(NodeError) -> PeerRecord {
        if d.origin == (try originID()) {
            throw NodeError(.invalidInput, "that descriptor is this node's own identity; a node cannot be its own peer")
        }
        let chosen = name ?? d.label ?? PeerName.fallback(origin: d.origin)
        guard PeerName.isValid(chosen) else {
            throw NodeError(.invalidInput, "'\(chosen)' cannot be a peer name (1 to \(PeerName.maxLength) characters, no '/', no leading '.', no control characters); choose one with --name")
        }
        if let taken = try peer(named: chosen), taken.origin != d.origin {
            throw NodeError(.invalidInput, "the peer name '\(chosen)' is already used for origin \(taken.origin); choose another with --name")
        }
        if let existing = try peer(origin: d.origin), existing.name != chosen, name != nil {
            throw NodeError(.invalidInput, "origin \(d.origin) is already the peer '\(existing.name)'; remove it first to rename it")
        }
        try write { () throws in
            try database.prepare("""
                INSERT INTO peer (name, origin, url, tls_pin, public_key, sync_peer, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (origin) DO UPDATE SET url = coalesce(?3, peer.url), tls_pin = coalesce(?4, peer.tls_pin),
                    public_key = ?5, sync_peer = max(peer.sync_peer, ?6)
                """).run([.text(chosen), .text(d.origin), .text(d.url), .text(d.tlsPin), .text(d.publicKey),
                          .integer(syncPeer ? 1 : 0), .integer(Node.now())])
            try trustInTransaction(origin: d.origin, label: d.label)
            // The first key lets the server side verify this origin's requests before any of its
            // key records arrived (the descriptor's key was checked to hash to the origin).
            if let raw = Base64URL.decode(d.publicKey) {
                try database.prepare("UPDATE origin SET first_key = ? WHERE origin = ?").run([.blob(raw), .text(d.origin)])
            }
        }
        guard let record = try peer(origin: d.origin) else { throw unknownPeer(chosen) }
        try writeOperatorCopy(PeerDescriptor(origin: d.origin, label: d.label, publicKey: d.publicKey,
                                             url: record.url, tlsPin: record.tlsPin), name: record.name)
        return record
    }

    private func writeOperatorCopy(_ d: PeerDescriptor, name: String) throws(NodeError) {
        do {
            try FileManager.default.createDirectory(atPath: home.peersDirectory, withIntermediateDirectories: true)
            try Data(JSONWriter.bytes(d.json, pretty: true) + [10]).write(to: URL(fileURLWithPath: peerFile(name)), options: .atomic)
        } catch {
            throw NodeError(.homeUnwritable, "cannot write the peer descriptor copy \(peerFile(name)); check the home's permissions")
        }
    }

    func peerFile(_ name: String) -> String { (home.peersDirectory as NSString).appendingPathComponent(name + ".json") }

    func unknownPeer(_ name: String) -> NodeError {
        NodeError(.invalidInput, "there is no peer named '\(name)'; 'citybench peer list' shows the names")
    }

    private func quarantinedLabel(_ origin: String) throws(NodeError) -> String? {
        let payload: [UInt8]? = try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT payload FROM item WHERE origin = ? AND kind = 'record' AND subject = 'profile' AND current = 1")
            try stmt.bind([.text(origin)])
            return try stmt.step() && !stmt.isNull(0) ? stmt.blob(0) : nil
        }
        return payload.flatMap { try? JSONReader.parse($0) }?["label"]?.stringValue
    }

    private func selectPeers(_ clause: String, _ values: [SQLValue]) throws(NodeError) -> [PeerRecord] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("""
                SELECT p.name, p.origin, p.url, p.tls_pin, p.public_key, p.sync_peer, coalesce(o.trusted, 0), p.cursor, p.epoch,
                       p.pushed_through, p.failures, p.next_try, p.last_success, p.runs, p.retry_after, p.last_error
                FROM peer p LEFT JOIN origin o ON o.origin = p.origin \(clause)
                """)
            try stmt.bind(values)
            var out: [PeerRecord] = []
            while try stmt.step() {
                out.append(PeerRecord(
                    name: stmt.text(0), origin: stmt.text(1), url: stmt.optionalText(2), tlsPin: stmt.optionalText(3),
                    publicKey: stmt.optionalText(4), syncPeer: stmt.int(5) == 1, trusted: stmt.int(6) == 1,
                    cursor: stmt.text(7), epoch: stmt.optionalText(8), pushedThrough: stmt.int(9), failures: stmt.int(10),
                    nextTry: stmt.optionalInt(11).map(Int64.init), lastSuccess: stmt.optionalInt(12).map(Int64.init),
                    runs: stmt.int(13), retryAfter: stmt.optionalInt(14), lastError: stmt.optionalText(15)))
            }
            return out
        }
    }
}
