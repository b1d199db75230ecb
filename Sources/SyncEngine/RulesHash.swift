import Crypto
public import Foundation

/// The rules' fingerprint written into plans: SHA-256 of the rule set's canonical form.
public enum RulesHash {
    /// `sha256:<hex>` of `canonicalData`.
    public static func of(canonicalData: Data) -> String {
        "sha256:" + SHA256.hash(data: canonicalData).map { String(format: "%02x", $0) }.joined()
    }
}
