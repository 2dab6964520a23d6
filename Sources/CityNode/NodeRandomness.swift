/// The randomness a node draws when entering data, injectable so tests can be seeded.
public struct NodeRandomness: Sendable {
    /// One draw u ~ Laplace(0, 1), stored with each value of a `personCount` KPI (design §4).
    public var laplace: @Sendable () throws -> Double
    /// `count` uniformly random bytes (project ids, secrets).
    public var bytes: @Sendable (_ count: Int) throws -> [UInt8]

    public init(laplace: @escaping @Sendable () throws -> Double, bytes: @escaping @Sendable (_ count: Int) throws -> [UInt8]) {
        self.laplace = laplace
        self.bytes = bytes
    }
}
